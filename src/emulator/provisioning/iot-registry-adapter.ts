import { type EmulatorPki, parseCertificatePem } from '../../pki/index.js';
import type { IotRegistry } from '../registry/index.js';
import type { ExistingCertificate, ProvisioningRegistry } from './apply.js';

function existing(record: {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  status: string;
}): ExistingCertificate {
  return {
    certificateId: record.certificateId,
    certificateArn: record.certificateArn,
    certificatePem: record.certificatePem,
    status: record.status,
  };
}

/**
 * The template engine's view of the emulator registry: what RegisterThing, JITP and fleet
 * provisioning create and attach. Registry errors (IotError) propagate with their AWS codes.
 */
export function provisioningRegistryFor(registry: IotRegistry, pki: EmulatorPki): ProvisioningRegistry {
  return {
    async describeThing(thingName) {
      const thing = registry.getThing(thingName);
      if (!thing) return undefined;
      return {
        thingName: thing.thingName,
        thingArn: thing.thingArn,
        thingTypeName: thing.thingTypeName,
        attributes: { ...thing.attributes },
      };
    },
    async createThing(thing) {
      const created = registry.createThing({
        thingName: thing.thingName,
        thingTypeName: thing.thingTypeName,
        attributes: thing.attributes,
      });
      return { thingArn: created.thingArn };
    },
    async updateThing(thingName, change) {
      registry.updateThing(thingName, {
        thingTypeName: change.thingTypeName,
        attributePayload: change.attributes ? { attributes: change.attributes, merge: false } : undefined,
      });
    },
    async describeCertificate(certificateId) {
      const record = registry.getCertificate(certificateId);
      return record && record.origin !== 'provisioning-claim' ? existing(record) : undefined;
    },
    async createCertificateFromCsr(csr, status) {
      const certificate = await pki.signCsr(csr);
      return existing(registry.addCertificate({ certificate, status, origin: 'csr' }));
    },
    async registerCertificate(certificatePem, caCertificatePem, status) {
      const certificate = parseCertificatePem(certificatePem);
      const ca = registry.findSigningCaCertificate(certificate);
      if (ca?.status !== 'ACTIVE') {
        throw new Error(
          `certificate ${certificate.certificateId} is not signed by an ACTIVE registered CA${caCertificatePem ? ' (the CACertificatePem given is not registered or not ACTIVE)' : ''}; register and activate its CA first`,
        );
      }
      return existing(
        registry.addCertificate({
          certificate,
          status,
          origin: 'registered',
          caCertificateId: ca.certificateId,
          certificateMode: ca.certificateMode,
        }),
      );
    },
    async updateCertificateStatus(certificateId, status) {
      registry.updateCertificateStatus(certificateId, status, { internal: true });
    },
    async getPolicy(policyName) {
      const policy = registry.getPolicy(policyName);
      return policy ? { policyArn: policy.policyArn } : undefined;
    },
    async createPolicy(policyName, policyDocument) {
      return { policyArn: registry.createPolicy(policyName, policyDocument).policyArn };
    },
    async attachPolicy(policyName, targetArn) {
      registry.attachPolicy(policyName, targetArn);
    },
    async attachThingPrincipal(thingName, principalArn) {
      registry.attachThingPrincipal(thingName, principalArn);
    },
  };
}
