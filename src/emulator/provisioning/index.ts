export {
  applyPlan,
  type ExistingCertificate,
  type ExistingThing,
  type ProvisioningRegistry,
  type ProvisioningResult,
} from './apply.js';
export { certificateParameters, subjectFields } from './certificate-parameters.js';
export {
  type CertificatePlan,
  type CertificateSource,
  type PolicyPlan,
  type ProvisioningPlan,
  policyNameForDocument,
  type ResolveOptions,
  type ResourcePlan,
  resolveTemplate,
  type ThingPlan,
} from './resolve.js';
export { TemplateError, type TemplateErrorCode } from './template-error.js';
export { type ProvisioningTemplate, parseTemplate } from './template-schema.js';

import { applyPlan, type ProvisioningRegistry, type ProvisioningResult } from './apply.js';
import { type ResolveOptions, resolveTemplate } from './resolve.js';

/** resolveTemplate + applyPlan in one call: what RegisterThing, JITP and fleet provisioning run. */
export async function provisionFromTemplate(
  templateBody: string | unknown,
  parameters: Record<string, string>,
  registry: ProvisioningRegistry,
  options: ResolveOptions = {},
): Promise<ProvisioningResult> {
  return applyPlan(resolveTemplate(templateBody, parameters, options), registry);
}
