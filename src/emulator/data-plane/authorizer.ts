import type { X509Certificate } from 'node:crypto';
import {
  evaluatePolicies,
  type IotDataAction,
  iotResourceArn,
  type PolicyContext,
  type PolicyDocument,
  PolicyDocumentCache,
  parsePolicyDocument,
} from '../policy/index.js';
import { subjectFields } from '../provisioning/index.js';
import type { CertificateRecord, DataPlaneRegistry } from './ports.js';

/** Who is on a connection: fixed at CONNECT time. */
export interface ConnectionIdentity {
  certificate: CertificateRecord;
  clientId: string;
  sourceIp?: string;
  subject: Record<string, string>;
  issuer: Record<string, string>;
}

export function identityFor(
  certificate: CertificateRecord,
  x509: X509Certificate,
  clientId: string,
  sourceIp: string | undefined,
): ConnectionIdentity {
  return {
    certificate,
    clientId,
    sourceIp,
    subject: subjectFields(x509.subject),
    issuer: subjectFields(x509.issuer),
  };
}

/**
 * Evaluates the policies attached to a connection's certificate, re-read from the registry on
 * every decision so AttachPolicy/DetachPolicy apply to live connections. Parsed documents are
 * cached by their text.
 */
export class ConnectionAuthorizer {
  private readonly parsed = new PolicyDocumentCache();

  constructor(private readonly registry: DataPlaneRegistry) {}

  context(identity: ConnectionIdentity): PolicyContext {
    const things = this.registry.thingsAttachedTo(identity.certificate.certificateArn);
    const thing = things.find((t) => t.thingName === identity.clientId);
    return {
      clientId: identity.clientId,
      thingName: thing?.thingName,
      thingTypeName: thing?.thingTypeName,
      thingAttributes: thing?.attributes,
      isAttached: thing !== undefined,
      certificateId: identity.certificate.certificateId,
      subject: identity.subject,
      issuer: identity.issuer,
      sourceIp: identity.sourceIp,
      region: this.registry.region,
      accountId: this.registry.accountId,
    };
  }

  /**
   * A CreateProvisioningClaim certificate carries no attached policy on AWS; it may connect and
   * use the fleet provisioning topics of its template.
   */
  private claimPolicy(templateName: string): PolicyDocument {
    const { region, accountId } = this.registry;
    const prefix = `arn:aws:iot:${region}:${accountId}`;
    const topics = [
      '$aws/certificates/create/*',
      '$aws/certificates/create-from-csr/*',
      `$aws/provisioning-templates/${templateName}/provision/*`,
    ];
    return parsePolicyDocument({
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' },
        {
          Effect: 'Allow',
          Action: ['iot:Publish', 'iot:Receive'],
          Resource: topics.map((t) => `${prefix}:topic/${t}`),
        },
        {
          Effect: 'Allow',
          Action: 'iot:Subscribe',
          Resource: topics.map((t) => `${prefix}:topicfilter/${t}`),
        },
      ],
    });
  }

  private documents(certificate: CertificateRecord): PolicyDocument[] {
    const attached = this.parsed.documents(this.registry.policyDocumentsFor(certificate.certificateArn));
    if (certificate.provisioningTemplateName === undefined) return attached;
    return [this.claimPolicy(certificate.provisioningTemplateName), ...attached];
  }

  allowed(identity: ConnectionIdentity, action: IotDataAction, name: string): boolean {
    const { region, accountId } = this.registry;
    const resource =
      action === 'iot:Connect'
        ? iotResourceArn.client(region, accountId, name)
        : action === 'iot:Subscribe'
          ? iotResourceArn.topicFilter(region, accountId, name)
          : iotResourceArn.topic(region, accountId, name);
    const documents = this.documents(identity.certificate);
    return evaluatePolicies(documents, { action, resource, context: this.context(identity) }).allowed;
  }
}
