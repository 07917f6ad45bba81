import type { EmulatorPki } from '../../pki/index.js';
import type { ProvisioningRegistry } from '../provisioning/index.js';
import type { CertificateRecord, IotRegistry } from '../registry/index.js';
import { registerDeviceCertificate } from './operations/certificates.js';

function existingCertificate(record: CertificateRecord) {
  return {
    certificateId: record.certificateId,
    certificateArn: record.certificateArn,
    certificatePem: record.certificatePem,
    status: record.status,
  };
}

/**
 * The template engine's view of the registry (src/emulator/provisioning), shared by
 * RegisterThing, JITP and fleet provisioning so all three follow the control plane's rules.
 */
export function createProvisioningRegistry(registry: IotRegistry, pki: EmulatorPki): ProvisioningRegistry {
  return {
    async describeThing(thingName) {
      const thing = registry.getThing(thingName);
      return (
        thing && {
          thingName: thing.thingName,
          thingArn: thing.thingArn,
          thingTypeName: thing.thingTypeName,
          attributes: { ...thing.attributes },
        }
      );
    },
    async createThing(thing) {
      return { thingArn: registry.createThing(thing).thingArn };
    },
    async updateThing(thingName, change) {
      registry.updateThing(thingName, {
        thingTypeName: change.thingTypeName,
        attributePayload: change.attributes ? { attributes: change.attributes } : undefined,
      });
    },
    async describeCertificate(certificateId) {
      const record = registry.getCertificate(certificateId);
      return record && record.origin !== 'provisioning-claim' ? existingCertificate(record) : undefined;
    },
    async createCertificateFromCsr(csr, status) {
      const certificate = await pki.signCsr(csr);
      return existingCertificate(registry.addCertificate({ certificate, status, origin: 'csr' }));
    },
    async registerCertificate(certificatePem, caCertificatePem, status) {
      return existingCertificate(
        registerDeviceCertificate(registry, { certificatePem, caCertificatePem, status }),
      );
    },
    async updateCertificateStatus(certificateId, status) {
      registry.updateCertificateStatus(certificateId, status, { internal: true });
    },
    async getPolicy(policyName) {
      const policy = registry.getPolicy(policyName);
      return policy && { policyArn: policy.policyArn };
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
    async describeThingType(thingTypeName) {
      const type = registry.thingTypes.records.get(thingTypeName);
      return type && { deprecated: type.deprecated };
    },
    async thingGroupExists(thingGroupName) {
      return registry.thingGroups.records.has(thingGroupName);
    },
    async thingGroupsOf(thingName) {
      return registry.thingGroups.members.rights(thingName);
    },
    async addThingToThingGroup(thingGroupName, thingName) {
      registry.thingGroups.addThing(thingGroupName, thingName);
    },
    async removeThingFromThingGroup(thingGroupName, thingName) {
      registry.thingGroups.removeThing(thingGroupName, thingName);
    },
  };
}
