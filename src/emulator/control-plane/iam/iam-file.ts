import { z } from 'zod';
import { policyDocumentSchema } from '../../policy/policy-document.js';

/**
 * `provbench emulator --iam <file>`: the IAM users the control plane knows. Each has an access
 * key, a secret and its identity policies; requests must be SigV4-signed with one of the keys
 * and are allowed only as the signer's policies say. Format and example: docs/emulator.md, "IAM".
 */

const identityPolicySchema = policyDocumentSchema.superRefine((document, context) => {
  document.Statement.forEach((statement, index) => {
    if (statement.Action === undefined && statement.NotAction === undefined)
      context.addIssue({ code: 'custom', path: ['Statement', index], message: 'needs Action or NotAction' });
    if (statement.Resource === undefined && statement.NotResource === undefined)
      context.addIssue({
        code: 'custom',
        path: ['Statement', index],
        message: 'needs Resource or NotResource',
      });
  });
});

export const iamPrincipalSchema = z.strictObject({
  /** The IAM user name: the principal is `arn:aws:iam::<account>:user/<name>`. */
  name: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'name must be an IAM user name ([A-Za-z0-9+=,.@_-], 1..64)'),
  accessKeyId: z
    .string()
    .regex(/^\w{16,128}$/, 'accessKeyId must be 16..128 letters, digits or underscores, as AWS issues them'),
  secretAccessKey: z.string().min(1, 'secretAccessKey must not be empty'),
  policies: z.array(identityPolicySchema),
});

export const iamFileSchema = z
  .strictObject({
    principals: z.array(iamPrincipalSchema).min(1, 'principals must list at least one IAM user'),
    /** Which principal the emulator's own services sign with (the embedded Krypton service). */
    services: z.strictObject({ krypton: z.string().optional() }).optional(),
  })
  .superRefine((file, context) => {
    const names = new Set<string>();
    const keys = new Set<string>();
    file.principals.forEach((principal, index) => {
      if (names.has(principal.name))
        context.addIssue({
          code: 'custom',
          path: ['principals', index, 'name'],
          message: `user ${principal.name} is listed twice`,
        });
      if (keys.has(principal.accessKeyId))
        context.addIssue({
          code: 'custom',
          path: ['principals', index, 'accessKeyId'],
          message: `access key ${principal.accessKeyId} is listed twice`,
        });
      names.add(principal.name);
      keys.add(principal.accessKeyId);
    });
    const krypton = file.services?.krypton;
    if (krypton !== undefined && !names.has(krypton))
      context.addIssue({
        code: 'custom',
        path: ['services', 'krypton'],
        message: `"${krypton}" is not one of the principals' names`,
      });
  });

export type IamPrincipalConfig = z.infer<typeof iamPrincipalSchema>;
export type IamFile = z.infer<typeof iamFileSchema>;
