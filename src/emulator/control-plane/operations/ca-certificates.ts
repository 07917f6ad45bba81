import { isSignedBy } from '../../../pki/index.js';
import {
  type AutoRegistrationStatus,
  type CaCertificateStatus,
  IotError,
  invalidRequest,
  notFound,
  type RegistrationConfig,
} from '../../registry/index.js';
import type { OperationHandlers } from '../context.js';
import {
  optionalBoolean,
  optionalObject,
  optionalString,
  queryBoolean,
  queryString,
  requiredString,
} from '../input.js';
import { orderedMarkerPaging } from '../paging.js';
import { caCertificateDescription, caCertificateSummary } from '../wire.js';
import { certificateFromRequest } from './certificates.js';
import { tagList } from './tags.js';

function registrationConfigFrom(value: Record<string, unknown> | undefined): RegistrationConfig | undefined {
  if (!value) return undefined;
  const config: RegistrationConfig = {};
  const templateBody = optionalString(value, 'templateBody');
  const roleArn = optionalString(value, 'roleArn', { min: 20, max: 2048 });
  const templateName = optionalString(value, 'templateName');
  if (templateBody !== undefined) config.templateBody = templateBody;
  if (roleArn !== undefined) config.roleArn = roleArn;
  if (templateName !== undefined) config.templateName = templateName;
  if (templateName !== undefined && templateBody !== undefined) {
    throw invalidRequest(
      'registrationConfig takes either templateName or templateBody (with roleArn), not both',
    );
  }
  return config;
}

export const caCertificateOperations: OperationHandlers = {
  GetRegistrationCode(_input, { registry }) {
    return { registrationCode: registry.getRegistrationCode() };
  },

  DeleteRegistrationCode(_input, { registry }) {
    registry.deleteRegistrationCode();
    return undefined;
  },

  RegisterCACertificate(input, { registry }) {
    const setAsActive = queryBoolean(input.query, 'setAsActive') ?? false;
    const allowAutoRegistration = queryBoolean(input.query, 'allowAutoRegistration') ?? false;
    const caCertificate = certificateFromRequest(
      requiredString(input.body, 'caCertificate'),
      'caCertificate',
    );
    if (!caCertificate.isCa) {
      throw new IotError(
        'CertificateValidationException',
        'caCertificate is not a CA certificate (basicConstraints CA:TRUE is missing)',
      );
    }
    const mode = (optionalString(input.body, 'certificateMode', { oneOf: ['DEFAULT', 'SNI_ONLY'] }) ??
      'DEFAULT') as 'DEFAULT' | 'SNI_ONLY';
    const verificationPem = optionalString(input.body, 'verificationCertificate');
    if (mode === 'SNI_ONLY' && verificationPem) {
      throw invalidRequest('verificationCertificate must be empty when certificateMode is SNI_ONLY');
    }
    if (mode === 'DEFAULT') {
      if (!verificationPem) {
        throw invalidRequest(
          'verificationCertificate is required in DEFAULT mode: sign a certificate whose CN is the registration code (GetRegistrationCode) with the CA key',
        );
      }
      const verification = certificateFromRequest(verificationPem, 'verificationCertificate');
      const code = registry.currentRegistrationCode();
      if (!code) {
        throw new IotError(
          'RegistrationCodeValidationException',
          'There is no registration code: call GetRegistrationCode and put the code in the verification certificate CN',
        );
      }
      if (verification.subject.CN !== code) {
        throw new IotError(
          'RegistrationCodeValidationException',
          `The verification certificate CN (${verification.subject.CN ?? 'none'}) is not this account's registration code`,
        );
      }
      if (!isSignedBy(verification, caCertificate)) {
        throw new IotError(
          'CertificateValidationException',
          'The verification certificate is not signed by the CA certificate: sign it with the CA private key',
        );
      }
    }
    const registrationConfig = registrationConfigFrom(optionalObject(input.body, 'registrationConfig'));
    if (
      registrationConfig?.templateName &&
      !registry.getProvisioningTemplate(registrationConfig.templateName)
    ) {
      throw notFound(`The provisioning template ${registrationConfig.templateName} does not exist`);
    }
    const tags = tagList(input.body.tags);
    const record = registry.addCaCertificate({
      certificate: caCertificate,
      status: setAsActive ? 'ACTIVE' : 'INACTIVE',
      autoRegistrationStatus: allowAutoRegistration ? 'ENABLE' : 'DISABLE',
      registrationConfig,
      certificateMode: mode,
    });
    if (Object.keys(tags).length > 0) registry.tagResource(record.certificateArn, tags);
    return { certificateArn: record.certificateArn, certificateId: record.certificateId };
  },

  DescribeCACertificate(input, { registry }) {
    const id = requiredString(input.labels, 'caCertificateId');
    const record = registry.describeCaCertificate(id);
    return {
      certificateDescription: caCertificateDescription(record, registry.accountId),
      registrationConfig: record.registrationConfig,
    };
  },

  UpdateCACertificate(input, { registry }) {
    const id = requiredString(input.labels, 'caCertificateId');
    const newStatus = queryString(input.query, 'newStatus', { oneOf: ['ACTIVE', 'INACTIVE'] });
    const newAutoRegistrationStatus = queryString(input.query, 'newAutoRegistrationStatus', {
      oneOf: ['ENABLE', 'DISABLE'],
    });
    registry.updateCaCertificate(id, {
      newStatus: newStatus as CaCertificateStatus | undefined,
      newAutoRegistrationStatus: newAutoRegistrationStatus as AutoRegistrationStatus | undefined,
      registrationConfig: registrationConfigFrom(optionalObject(input.body, 'registrationConfig')),
      removeAutoRegistration: optionalBoolean(input.body, 'removeAutoRegistration'),
    });
    return undefined;
  },

  DeleteCACertificate(input, { registry }) {
    registry.deleteCaCertificate(requiredString(input.labels, 'caCertificateId'));
    return undefined;
  },

  ListCACertificates(input, { registry }) {
    const page = registry.listCaCertificates({
      ...orderedMarkerPaging(input),
      templateName: queryString(input.query, 'templateName'),
    });
    return { certificates: page.items.map(caCertificateSummary), nextMarker: page.next };
  },
};
