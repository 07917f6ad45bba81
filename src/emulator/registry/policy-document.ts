import { IotError } from './errors.js';

const MAX_DOCUMENT_LENGTH = 404_600;

function malformed(message: string): IotError {
  return new IotError('MalformedPolicyException', `Policy document is malformed: ${message}`);
}

/**
 * Checks an IoT policy document the way CreatePolicy does at its core: JSON object, a
 * Statement (object or array) whose entries have Effect Allow|Deny, Action and Resource.
 */
export function validatePolicyDocument(document: string): void {
  if (document.length === 0 || document.length > MAX_DOCUMENT_LENGTH) {
    throw malformed(`length must be 1..${MAX_DOCUMENT_LENGTH} characters`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch (error) {
    throw malformed(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw malformed('the document must be a JSON object with a "Statement"');
  }
  const statement = (parsed as Record<string, unknown>).Statement;
  const statements = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  if (statements.length === 0) throw malformed('"Statement" is missing or empty');
  statements.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null) throw malformed(`Statement[${index}] must be an object`);
    const fields = entry as Record<string, unknown>;
    if (fields.Effect !== 'Allow' && fields.Effect !== 'Deny') {
      throw malformed(`Statement[${index}].Effect must be "Allow" or "Deny"`);
    }
    for (const key of ['Action', 'Resource'] as const) {
      const value = fields[key];
      const ok =
        typeof value === 'string' ||
        (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'));
      if (!ok) throw malformed(`Statement[${index}].${key} must be a string or a non-empty array of strings`);
    }
  });
}
