import {
  GetPolicyCommand,
  type IoTClient,
  ListCACertificatesCommand,
  ListCertificatesCommand,
  ListProvisioningTemplatesCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';

/** What is left in the target's AWS IoT registry, read over the control plane as a user would. */
export interface RegistryLeftovers {
  things: string[];
  certificates: string[];
  caCertificates: string[];
  templates: string[];
  /** Of the policy names asked about, those that still exist. */
  policies: string[];
}

export async function registryLeftovers(iot: IoTClient, policyNames: string[]): Promise<RegistryLeftovers> {
  const things = (await iot.send(new ListThingsCommand({ maxResults: 250 }))).things ?? [];
  const certificates = (await iot.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates ?? [];
  const cas = (await iot.send(new ListCACertificatesCommand({ pageSize: 250 }))).certificates ?? [];
  const templates =
    (await iot.send(new ListProvisioningTemplatesCommand({ maxResults: 250 }))).templates ?? [];
  const policies: string[] = [];
  for (const policyName of policyNames) {
    try {
      await iot.send(new GetPolicyCommand({ policyName }));
      policies.push(policyName);
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
  }
  return {
    things: things.map((t) => t.thingName ?? '?'),
    certificates: certificates.map((c) => `${c.certificateId} ${c.status}`),
    caCertificates: cas.map((c) => c.certificateId ?? '?'),
    templates: templates.map((t) => t.templateName ?? '?'),
    policies,
  };
}
