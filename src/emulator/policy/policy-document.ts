import { z } from 'zod';

const stringOrList = z.union([z.string(), z.array(z.string())]);

/** One `Condition` block: operator → condition key → value(s). */
export const conditionBlockSchema = z.record(
  z.string(),
  z.record(z.string(), z.union([stringOrList, z.boolean(), z.number()])),
);

export const policyStatementSchema = z.object({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Action: stringOrList.optional(),
  NotAction: stringOrList.optional(),
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  Condition: conditionBlockSchema.optional(),
});

export const policyDocumentSchema = z.object({
  Version: z.string().optional(),
  Statement: z.preprocess(
    (value) => (Array.isArray(value) ? value : [value]),
    z.array(policyStatementSchema),
  ),
});

export type ConditionBlock = z.infer<typeof conditionBlockSchema>;
export type PolicyStatement = z.infer<typeof policyStatementSchema>;
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;

export class MalformedPolicyError extends Error {
  override name = 'MalformedPolicyError';
}

/** Parses an IoT policy document (JSON text or object); throws MalformedPolicyError saying what is wrong. */
export function parsePolicyDocument(source: string | unknown): PolicyDocument {
  let value: unknown = source;
  if (typeof source === 'string') {
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw new MalformedPolicyError(
        `policy document is not valid JSON (${(error as Error).message}); fix the JSON and retry`,
      );
    }
  }
  const parsed = policyDocumentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'document';
    throw new MalformedPolicyError(
      `policy document is malformed at ${where}: ${issue?.message ?? 'unknown problem'}`,
    );
  }
  for (const statement of statementsOf(parsed.data)) {
    if (statement.Action === undefined && statement.NotAction === undefined) {
      throw new MalformedPolicyError('every policy statement needs Action or NotAction');
    }
    if (statement.Resource === undefined && statement.NotResource === undefined) {
      throw new MalformedPolicyError('every policy statement needs Resource or NotResource');
    }
  }
  return parsed.data;
}

export function statementsOf(document: PolicyDocument): PolicyStatement[] {
  return document.Statement;
}

export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
