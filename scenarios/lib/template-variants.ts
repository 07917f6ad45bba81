import type { IamScope, IamStatement, ResourceKind, RunContext } from '../../src/contract/index.js';
import { classifyThingsStatement, roleAliasStatements } from './iam-policies.js';
import {
  type DeviceIdentity,
  fetchRoleCredentials,
  prepareRoleAlias,
  roleAliasName,
  withAssumeRoleStatement,
} from './role-alias-credentials.js';
import { createThingClassification, type ThingClassification } from './thing-classification.js';

/**
 * The variants the template patterns (jitp, fleet-provisioning) add to their own, with every
 * hook a scenario calls for them. A scenario declares `variants: withTemplateVariants(...own)`,
 * calls `templateVariant(ctx.options.variant)`'s hooks at the points named below, and adds
 * `templateVariant(scope.variant).operatorStatements(scope)` to its operator's IAM policy. For
 * the scenario's own variants every hook does nothing and adds nothing.
 */
export interface TemplateVariant {
  /** The ledger kinds its prepare records (besides the pattern's own); cleanup deletes them. */
  readonly ledgerKinds: readonly ResourceKind[];
  /** The operator's IAM statements for the variant's own prepare calls, and no more. */
  operatorStatements(scope: IamScope): IamStatement[];
  /** Prepare: the device policy document to create, from the pattern's. */
  devicePolicy(ctx: RunContext, policyDocument: string): string;
  /** Prepare, after the device policy and before the template: what the template adds to the thing. */
  prepare(ctx: RunContext): Promise<TemplateAdditions>;
  /** Boot, once the device has proven it is connected as itself. */
  boot(ctx: RunContext, device: DeviceIdentity): Promise<void>;
}

/** What a variant's prepare gives the provisioning template. */
export interface TemplateAdditions {
  /** The thing type and group the template gives every thing. */
  classification?: ThingClassification;
}

/** The hooks of a pattern's own variants: nothing more than the pattern. */
const OWN: TemplateVariant = {
  ledgerKinds: [],
  operatorStatements: () => [],
  devicePolicy: (_ctx, policyDocument) => policyDocument,
  prepare: async () => ({}),
  boot: async () => {},
};

const VARIANTS = {
  /** The template also gives each thing the run's thing type and static thing group. */
  'thing-type-and-group': {
    ...OWN,
    ledgerKinds: ['thing-type', 'thing-group'],
    operatorStatements: (scope) => [classifyThingsStatement(scope)],
    prepare: async (ctx) => ({ classification: await createThingClassification(ctx) }),
  },
  /** After connecting, the device fetches AWS credentials through the run's role alias. */
  'role-alias-credentials': {
    ...OWN,
    ledgerKinds: ['role-alias'],
    operatorStatements: (scope) => roleAliasStatements(scope),
    devicePolicy: (ctx, policyDocument) =>
      withAssumeRoleStatement(policyDocument, ctx.endpoint, roleAliasName(ctx)),
    prepare: async (ctx) => {
      ctx.shared.roleAlias = await prepareRoleAlias(ctx);
      return {};
    },
    boot: fetchRoleCredentials,
  },
} as const satisfies Record<string, TemplateVariant>;

export type TemplateVariantName = keyof typeof VARIANTS;

/** The template variants' names, in the order scenarios list them after their own. */
export const TEMPLATE_VARIANT_NAMES = [
  'thing-type-and-group',
  'role-alias-credentials',
] as const satisfies readonly TemplateVariantName[];

/** A pattern's variants: its own (the first is the default), then the template variants. */
export function withTemplateVariants<const Own extends readonly string[]>(
  ...own: Own
): readonly [...Own, ...typeof TEMPLATE_VARIANT_NAMES] {
  return [...own, ...TEMPLATE_VARIANT_NAMES];
}

/** The hooks of the selected variant (do-nothing hooks for a pattern's own variants). */
export function templateVariant(variant: string | null): TemplateVariant {
  return Object.hasOwn(VARIANTS, variant ?? '') ? VARIANTS[variant as TemplateVariantName] : OWN;
}
