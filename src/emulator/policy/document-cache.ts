import { type PolicyDocument, parsePolicyDocument } from './policy-document.js';

/**
 * Parsed policy documents by their text, for evaluators that read a principal's policies on
 * every decision. A document that does not parse is kept as null and allows nothing.
 */
export class PolicyDocumentCache {
  private readonly parsed = new Map<string, PolicyDocument | null>();

  constructor(private readonly limit = 5_000) {}

  /** The documents of `texts` that parse, in order. */
  documents(texts: Iterable<string>): PolicyDocument[] {
    const documents: PolicyDocument[] = [];
    for (const text of texts) {
      let document = this.parsed.get(text);
      if (document === undefined) {
        try {
          document = parsePolicyDocument(text);
        } catch {
          document = null;
        }
        if (this.parsed.size > this.limit) this.parsed.clear();
        this.parsed.set(text, document);
      }
      if (document) documents.push(document);
    }
    return documents;
  }
}
