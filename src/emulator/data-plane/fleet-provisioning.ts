import { randomBytes } from 'node:crypto';
import { provisionFromTemplate, TemplateError } from '../provisioning/index.js';
import type { TokenBucket } from '../rate-limiter.js';
import {
  type CertificateIssuer,
  type DataPlaneRegistry,
  findLocalFunction,
  type LocalFunction,
} from './ports.js';

export interface FleetRejection {
  statusCode: number;
  errorCode: string;
  errorMessage: string;
}

export type FleetAnswer =
  | { accepted: true; body: Record<string, unknown> }
  | { accepted: false; body: FleetRejection };

export interface FleetRequester {
  clientId: string;
  /** The certificate the request came in on (the claim certificate). */
  certificateId: string;
}

export interface FleetProvisioningDeps {
  registry: DataPlaneRegistry;
  issuer: CertificateIssuer;
  functions: ReadonlyMap<string, LocalFunction>;
  hookTimeoutMs?: number;
  ownershipTokenTtlMs?: number;
  limits?: { createKeys?: TokenBucket; createFromCsr?: TokenBucket; registerThing?: TokenBucket };
}

const CREATE = /^\$aws\/certificates\/create\/(json|cbor)$/;
const CREATE_FROM_CSR = /^\$aws\/certificates\/create-from-csr\/(json|cbor)$/;
const PROVISION = /^\$aws\/provisioning-templates\/([^/]+)\/provision\/(json|cbor)$/;

/** True for the request topics fleet provisioning answers. */
export function isFleetRequestTopic(topic: string): boolean {
  return CREATE.test(topic) || CREATE_FROM_CSR.test(topic) || PROVISION.test(topic);
}

const reject = (statusCode: number, errorCode: string, errorMessage: string): FleetAnswer => ({
  accepted: false,
  body: { statusCode, errorCode, errorMessage },
});
const throttled = (): FleetAnswer => reject(429, 'Throttling', 'Rate exceeded');

interface OwnershipToken {
  certificateId: string;
  expiresAt: number;
  timer: NodeJS.Timeout;
}

function parseJson(payload: Buffer): Record<string, unknown> | undefined {
  if (payload.length === 0) return {};
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The fleet provisioning MQTT API: CreateKeysAndCertificate, CreateCertificateFromCsr and
 * RegisterThing over `$aws/...` topics, with ownership tokens that expire after an hour (the
 * certificate is deleted if it was never provisioned) and an optional pre-provisioning hook.
 */
export class FleetProvisioning {
  private readonly tokens = new Map<string, OwnershipToken>();

  constructor(private readonly deps: FleetProvisioningDeps) {}

  async handle(topic: string, payload: Buffer, requester: FleetRequester): Promise<FleetAnswer> {
    if (/\/cbor$/.test(topic)) {
      return reject(
        400,
        'InvalidPayload',
        'the emulator answers the json format only; publish to the /json topic',
      );
    }
    const request = parseJson(payload);
    if (request === undefined)
      return reject(400, 'InvalidPayload', 'the request payload is not a JSON object');
    try {
      if (CREATE.test(topic)) return await this.createKeysAndCertificate();
      if (CREATE_FROM_CSR.test(topic)) return await this.createFromCsr(request);
      const templateName = PROVISION.exec(topic)?.[1];
      if (templateName !== undefined) return await this.registerThing(templateName, request, requester);
    } catch (error) {
      return reject(500, 'InternalFailure', (error as Error).message);
    }
    return reject(404, 'NotFound', `no fleet provisioning API answers ${topic}`);
  }

  private issueToken(certificateId: string): string {
    const token = randomBytes(48).toString('base64url');
    const ttl = this.deps.ownershipTokenTtlMs ?? 3_600_000;
    const timer = setTimeout(() => void this.expire(token), ttl);
    timer.unref();
    this.tokens.set(token, { certificateId, expiresAt: Date.now() + ttl, timer });
    return token;
  }

  private async expire(token: string): Promise<void> {
    const entry = this.tokens.get(token);
    this.tokens.delete(token);
    if (!entry) return;
    const certificate = this.deps.registry.getCertificate(entry.certificateId);
    if (certificate && certificate.status === 'PENDING_ACTIVATION') {
      await this.deps.registry.deleteCertificate(entry.certificateId).catch(() => undefined);
    }
  }

  private async createKeysAndCertificate(): Promise<FleetAnswer> {
    if (this.deps.limits?.createKeys && !this.deps.limits.createKeys.tryTake()) return throttled();
    const issued = await this.deps.issuer.createKeysAndCertificate();
    const certificate = await this.deps.registry.registerDeviceCertificate(
      issued.certificatePem,
      undefined,
      'PENDING_ACTIVATION',
    );
    return {
      accepted: true,
      body: {
        certificateId: certificate.certificateId,
        certificatePem: certificate.certificatePem,
        privateKey: issued.privateKeyPem,
        certificateOwnershipToken: this.issueToken(certificate.certificateId),
      },
    };
  }

  private async createFromCsr(request: Record<string, unknown>): Promise<FleetAnswer> {
    if (this.deps.limits?.createFromCsr && !this.deps.limits.createFromCsr.tryTake()) return throttled();
    const csr = request.certificateSigningRequest;
    if (typeof csr !== 'string' || csr.length === 0) {
      return reject(400, 'InvalidPayload', 'certificateSigningRequest (a PEM CSR) is required');
    }
    let signed: { certificatePem: string };
    try {
      signed = await this.deps.issuer.signCsr(csr);
    } catch (error) {
      return reject(400, 'InvalidCsr', (error as Error).message);
    }
    const certificate = await this.deps.registry.registerDeviceCertificate(
      signed.certificatePem,
      undefined,
      'PENDING_ACTIVATION',
    );
    return {
      accepted: true,
      body: {
        certificateOwnershipToken: this.issueToken(certificate.certificateId),
        certificateId: certificate.certificateId,
        certificatePem: certificate.certificatePem,
      },
    };
  }

  private async runHook(
    targetArn: string,
    input: Record<string, unknown>,
  ): Promise<{ allowed: boolean; overrides: Record<string, string>; reason: string }> {
    const fn = findLocalFunction(this.deps.functions, targetArn);
    if (!fn)
      return {
        allowed: false,
        overrides: {},
        reason: `pre-provisioning hook ${targetArn} is not registered as a local function`,
      };
    const limit = this.deps.hookTimeoutMs ?? 5_000;
    let output: unknown;
    try {
      output = await withTimeout(Promise.resolve(fn(input)), limit);
    } catch (error) {
      return {
        allowed: false,
        overrides: {},
        reason: `pre-provisioning hook failed: ${(error as Error).message}`,
      };
    }
    if (output === 'timeout')
      return {
        allowed: false,
        overrides: {},
        reason: `pre-provisioning hook did not answer within ${limit} ms`,
      };
    const answer = (output ?? {}) as { allowProvisioning?: unknown; parameterOverrides?: unknown };
    if (answer.allowProvisioning !== true) {
      return { allowed: false, overrides: {}, reason: 'pre-provisioning hook did not allow provisioning' };
    }
    const overrides: Record<string, string> = {};
    if (answer.parameterOverrides && typeof answer.parameterOverrides === 'object') {
      for (const [key, value] of Object.entries(answer.parameterOverrides)) overrides[key] = String(value);
    }
    return { allowed: true, overrides, reason: '' };
  }

  private async registerThing(
    templateName: string,
    request: Record<string, unknown>,
    requester: FleetRequester,
  ): Promise<FleetAnswer> {
    if (this.deps.limits?.registerThing && !this.deps.limits.registerThing.tryTake()) return throttled();
    const token = request.certificateOwnershipToken;
    if (typeof token !== 'string' || token.length === 0) {
      return reject(400, 'InvalidCertificateOwnershipToken', 'Certificate ownership token cannot be empty.');
    }
    const owned = this.tokens.get(token);
    if (!owned || owned.expiresAt < Date.now()) {
      return reject(
        400,
        'InvalidCertificateOwnershipToken',
        'Certificate ownership token is invalid or expired.',
      );
    }
    const template = this.deps.registry.getProvisioningTemplate(templateName);
    if (template?.type !== 'FLEET_PROVISIONING') {
      return reject(404, 'ResourceNotFound', `provisioning template ${templateName} does not exist`);
    }
    if (!template.enabled) {
      return reject(
        400,
        'InvalidRequest',
        `provisioning template ${templateName} is disabled; enable it with UpdateProvisioningTemplate`,
      );
    }
    const parameters: Record<string, string> = {};
    const given = request.parameters;
    if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
      return reject(400, 'InvalidPayload', 'parameters must be an object of string values');
    }
    for (const [key, value] of Object.entries(given ?? {})) parameters[key] = String(value);
    const certificate = this.deps.registry.getCertificate(owned.certificateId);
    if (!certificate)
      return reject(
        400,
        'InvalidCertificateOwnershipToken',
        'the certificate of this token no longer exists',
      );

    if (template.preProvisioningHook) {
      const hook = await this.runHook(template.preProvisioningHook.targetArn, {
        claimCertificateId: requester.certificateId,
        certificateId: certificate.certificateId,
        certificatePem: certificate.certificatePem,
        templateArn: template.templateArn,
        clientId: requester.clientId,
        parameters: { ...parameters },
      });
      if (!hook.allowed) return reject(403, 'AccessDenied', `ACCESS_DENIED: ${hook.reason}`);
      Object.assign(parameters, hook.overrides);
    }
    try {
      const result = await provisionFromTemplate(template.templateBody, parameters, this.deps.registry, {
        systemParameters: { 'AWS::IoT::Certificate::Id': certificate.certificateId },
      });
      clearTimeout(owned.timer);
      this.tokens.delete(token);
      return {
        accepted: true,
        body: { deviceConfiguration: result.deviceConfiguration, thingName: result.thingName ?? null },
      };
    } catch (error) {
      if (error instanceof TemplateError) {
        const status =
          error.code === 'ResourceNotFound' ? 404 : error.code === 'ResourceConflict' ? 409 : 400;
        const code =
          error.code === 'MissingParameter' || error.code === 'InvalidParameter'
            ? 'InvalidParameters'
            : error.code;
        return reject(status, code, error.message);
      }
      throw error;
    }
  }

  /** Clears token timers (broker shutdown). */
  close(): void {
    for (const entry of this.tokens.values()) clearTimeout(entry.timer);
    this.tokens.clear();
  }
}
