import { randomBytes, type X509Certificate } from 'node:crypto';
import { judgeCertificate } from '../data-plane/identity.js';
import type { DataPlaneRegistry } from '../data-plane/ports.js';
import { evaluatePolicies, PolicyDocumentCache } from '../policy/index.js';
import { subjectFields } from '../provisioning/index.js';
import type { IotRegistry } from '../registry/index.js';

/** What a device asks the credentials provider: `GET /role-aliases/<alias>/credentials`. */
export interface CredentialsRequest {
  roleAlias: string;
  /** The `x-amzn-iot-thingname` header, when sent. */
  thingName?: string;
  /** The client certificate from the TLS handshake. */
  leaf: X509Certificate | Buffer | undefined;
  sourceIp?: string;
}

/** AWS's temporary credentials: an STS session for the role alias's role. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601 in whole seconds, as the credentials provider writes it. */
  expiration: string;
}

export type CredentialsAnswer =
  | { status: 200; credentials: TemporaryCredentials }
  | { status: 403 | 404; errorType: string; message: string };

/**
 * The credentials provider's answers, in the order AWS IoT checks (observed and published in
 * awslabs/aws-iot-core-credential-provider-session-helper, docs/dev_notes.md): the certificate,
 * then the thing name, then iot:AssumeRoleWithCertificate on the role alias ARN in the
 * certificate's policies, then the role alias itself.
 */
const REFUSALS = {
  certificate: {
    status: 403,
    errorType: 'AccessDeniedException',
    message: 'Certificate is invalid on this endpoint',
  },
  thing: { status: 403, errorType: 'AccessDeniedException', message: 'Invalid thing name passed' },
  policy: { status: 403, errorType: 'AccessDeniedException', message: 'Access Denied' },
  alias: { status: 404, errorType: 'ResourceNotFoundException', message: 'Role alias does not exist' },
} as const;

const UPPER_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function accessKeyId(): string {
  const bytes = randomBytes(16);
  return `ASIA${[...bytes].map((b) => UPPER_ALPHANUMERIC[b % 32]).join('')}`;
}

/** Fresh credentials in AWS's shapes; they sign nothing here (the emulator has no IAM or STS). */
export function issueCredentials(durationSeconds: number, now = Date.now()): TemporaryCredentials {
  const expiration = new Date(Math.floor(now / 1000) * 1000 + durationSeconds * 1000);
  return {
    accessKeyId: accessKeyId(),
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(300).toString('base64'),
    expiration: expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/** Decides one credentials request against the registry (policies as the data plane reads them: the default version). */
export class RoleAliasAuthorizer {
  private readonly parsed = new PolicyDocumentCache();

  constructor(
    private readonly registry: IotRegistry,
    private readonly certificates: DataPlaneRegistry,
  ) {}

  answer(request: CredentialsRequest): CredentialsAnswer {
    const verdict = judgeCertificate(request.leaf, this.certificates);
    if (verdict.kind !== 'accept') return REFUSALS.certificate;
    const certificate = verdict.certificate;
    if (request.thingName !== undefined) {
      const attached = this.registry.thingsForCertificate(certificate.certificateId);
      if (!attached.some((thing) => thing.thingName === request.thingName)) return REFUSALS.thing;
    }
    const { region, accountId } = this.registry;
    const documents = this.parsed.documents(
      this.registry.policiesForCertificate(certificate.certificateId).map((policy) => policy.policyDocument),
    );
    const decision = evaluatePolicies(documents, {
      action: 'iot:AssumeRoleWithCertificate',
      resource: this.registry.arns.roleAlias(request.roleAlias),
      // Thing variables (iot:Connection.Thing.*) exist for MQTT connections only: not set here.
      context: {
        certificateId: certificate.certificateId,
        subject: subjectFields(verdict.x509.subject),
        issuer: subjectFields(verdict.x509.issuer),
        sourceIp: request.sourceIp,
        region,
        accountId,
      },
    });
    if (!decision.allowed) return REFUSALS.policy;
    const alias = this.registry.roleAliases.records.get(request.roleAlias);
    if (alias === undefined) return REFUSALS.alias;
    return { status: 200, credentials: issueCredentials(alias.credentialDurationSeconds) };
  }
}
