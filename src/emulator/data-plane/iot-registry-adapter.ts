import { type EmulatorPki, parseCertificatePem } from '../../pki/index.js';
import { createProvisioningRegistry } from '../control-plane/provisioning-registry.js';
import type { IotRegistry } from '../registry/index.js';
import type { CertificateIssuer, DataPlaneRegistry, RegistryChange, TopicRuleRecord } from './ports.js';

/** The data plane's view of the emulator registry. */
export function dataPlaneRegistryFor(registry: IotRegistry, pki: EmulatorPki): DataPlaneRegistry {
  return {
    ...createProvisioningRegistry(registry, pki),
    accountId: registry.accountId,
    region: registry.region,
    getCertificate: (certificateId) => registry.getCertificate(certificateId),
    getCaCertificate: (caCertificateId) => registry.getCaCertificate(caCertificateId),
    findSigningCa(certificatePem) {
      try {
        return registry.findSigningCaCertificate(parseCertificatePem(certificatePem));
      } catch {
        return undefined;
      }
    },
    async registerDeviceCertificate(certificatePem, caCertificateId, status) {
      const certificate = parseCertificatePem(certificatePem);
      const ca = caCertificateId ? registry.getCaCertificate(caCertificateId) : undefined;
      return registry.addCertificate({
        certificate,
        status,
        origin: ca ? 'registered' : 'keys-and-certificate',
        caCertificateId: ca?.certificateId,
        certificateMode: ca?.certificateMode,
      });
    },
    async deleteCertificate(certificateId) {
      registry.removeCertificate(certificateId);
    },
    policyDocumentsFor: (certificateArn) =>
      registry.policiesForPrincipal(certificateArn).map((policy) => policy.policyDocument),
    thingsAttachedTo: (certificateArn) => registry.thingsForPrincipal(certificateArn),
    getProvisioningTemplate: (templateName) => registry.getProvisioningTemplate(templateName),
    listTopicRules: () => registry.listTopicRules() as unknown as TopicRuleRecord[],
    onChange(listener: (change: RegistryChange) => void) {
      const offStatus = registry.events.on('certificateStatusChanged', (event) =>
        listener({ kind: 'certificate-status', certificateId: event.certificateId, status: event.status }),
      );
      const offDeleted = registry.events.on('certificateDeleted', (event) =>
        listener({ kind: 'certificate-deleted', certificateId: event.certificateId }),
      );
      return () => {
        offStatus();
        offDeleted();
      };
    },
  };
}

/** The emulator PKI as the fleet provisioning API uses it. */
export function certificateIssuerFor(pki: EmulatorPki): CertificateIssuer {
  return {
    issuingCaPem: pki.issuing.certificate.pem,
    async createKeysAndCertificate() {
      const issued = await pki.createKeysAndCertificate();
      return { certificatePem: issued.certificate.pem, privateKeyPem: issued.keyPair.privateKeyPem };
    },
    async signCsr(csrPem) {
      return { certificatePem: (await pki.signCsr(csrPem)).pem };
    },
  };
}
