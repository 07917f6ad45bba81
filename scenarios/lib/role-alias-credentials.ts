import { request } from 'node:https';
import { CreateRoleAliasCommand, DescribeEndpointCommand } from '@aws-sdk/client-iot';
import { z } from 'zod';
import {
  AuthRejectedError,
  type IoTEndpoint,
  ProtocolError,
  type RunContext,
  ServerError,
  ThrottledError,
} from '../../src/contract/index.js';
import { LeafNameCheckAgent } from '../../src/tls/leaf-name-check.js';
import { resourceName } from './names.js';

/**
 * The `role-alias-credentials` variant of fleet-provisioning and jitp (its hooks:
 * ./template-variants.ts): after connecting, the device exchanges its certificate for temporary
 * AWS credentials at the credentials provider, through a role alias the run creates (AWS IoT
 * developer guide, "Authorizing direct calls to AWS services").
 */

/** What devices need from prepare (structured-cloneable). */
export interface SharedRoleAlias {
  roleAlias: string;
  /** The DescribeEndpoint `iot:CredentialProvider` host: the TLS server name. */
  host: string;
  /** Where to connect: the endpoint's credentials provider URL, else the host on 443. */
  url: string;
}

/** How long the role alias's credentials last: AWS's minimum, the run needs them only once. */
const CREDENTIAL_DURATION_SECONDS = 900;

/**
 * The IAM role the credentials provider assumes. On real AWS it must exist and trust
 * `credentials.iot.amazonaws.com`: set PROVBENCH_ROLE_ALIAS_ROLE_ARN. The embedded emulator
 * accepts any well-formed role ARN (it has no IAM).
 */
export function roleAliasRoleArn(ctx: Pick<RunContext, 'endpoint'>): string {
  const configured = process.env.PROVBENCH_ROLE_ALIAS_ROLE_ARN;
  if (configured) return configured;
  return `arn:aws:iam::${ctx.endpoint.accountId ?? '000000000000'}:role/provbench-device-credentials`;
}

export function roleAliasName(ctx: Pick<RunContext, 'runId' | 'scenarioId'>): string {
  return resourceName(ctx, 'credentials');
}

/** The device policy with one more statement: iot:AssumeRoleWithCertificate on the run's role alias. */
export function withAssumeRoleStatement(
  policyDocument: string,
  endpoint: IoTEndpoint,
  roleAlias: string,
): string {
  const document = JSON.parse(policyDocument) as { Statement: unknown[] };
  const arn = `arn:aws:iot:${endpoint.region}:${endpoint.accountId ?? '*'}:rolealias/${roleAlias}`;
  document.Statement.push({ Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: arn });
  return JSON.stringify(document);
}

/** Prepare: the role alias (recorded in the ledger) and the credentials provider's address. */
export async function prepareRoleAlias(ctx: RunContext): Promise<SharedRoleAlias> {
  const roleAlias = roleAliasName(ctx);
  await ctx.phase('create-role-alias', () =>
    ctx.ledger.track({ kind: 'role-alias', name: roleAlias }, () =>
      ctx.iot.send(
        new CreateRoleAliasCommand({
          roleAlias,
          roleArn: roleAliasRoleArn(ctx),
          credentialDurationSeconds: CREDENTIAL_DURATION_SECONDS,
          tags: [...ctx.tags],
        }),
      ),
    ),
  );
  const described = await ctx.phase('describe-credentials-endpoint', () =>
    ctx.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:CredentialProvider' })),
  );
  const host = described.endpointAddress;
  if (!host) throw new ProtocolError('DescribeEndpoint (iot:CredentialProvider) returned no endpointAddress');
  return { roleAlias, host, url: ctx.endpoint.credentialsProviderUrl ?? `https://${host}:443` };
}

const CredentialsAnswer = z.object({
  credentials: z.object({
    accessKeyId: z.string().min(16),
    secretAccessKey: z.string().min(1),
    sessionToken: z.string().min(1),
    expiration: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an ISO 8601 time'),
  }),
});

export interface DeviceIdentity {
  thingName: string;
  certificatePem: string;
  privateKeyPem: string;
}

function refusal(status: number, body: string): Error {
  let message = body.slice(0, 200);
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message;
  } catch {
    // not JSON: keep the text
  }
  const text = `credentials provider answered ${status}: ${message}`;
  if (status === 429) return new ThrottledError(text);
  if (status === 401 || status === 403) return new AuthRejectedError(text);
  if (status >= 500) return new ServerError(text);
  return new ProtocolError(text);
}

/** One GET over the device's field link with its certificate; the body, or a classified error. */
function getCredentials(ctx: RunContext, shared: SharedRoleAlias, device: DeviceIdentity): Promise<string> {
  const url = new URL(`/role-aliases/${encodeURIComponent(shared.roleAlias)}/credentials`, shared.url);
  const agent = new LeafNameCheckAgent({ keepAlive: false }, (options) => ctx.link.connectTls(options));
  return new Promise<string>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port || 443,
        path: url.pathname,
        method: 'GET',
        servername: shared.host,
        ca: ctx.endpoint.rootCaPem,
        cert: device.certificatePem,
        key: device.privateKeyPem,
        headers: { 'x-amzn-iot-thingname': device.thingName },
        agent,
        signal: ctx.signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode === 200) resolve(body);
          else reject(refusal(response.statusCode ?? 0, body));
        });
      },
    );
    req.on('error', reject);
    req.end();
  }).finally(() => agent.destroy());
}

/**
 * Field step of the variant: the device asks for credentials as its thing (phase
 * `fetch-role-credentials`, API `iot:AssumeRoleWithCertificate`) and checks the answer's shape.
 * The credentials are not kept or logged: the run proves the exchange, not a use of them.
 */
export async function fetchRoleCredentials(ctx: RunContext, device: DeviceIdentity): Promise<void> {
  const shared = ctx.shared.roleAlias as SharedRoleAlias | undefined;
  if (!shared) throw new ProtocolError('ctx.shared.roleAlias is missing: prepare must create the role alias');
  const body = await ctx.phase('fetch-role-credentials', () =>
    ctx.call('iot:AssumeRoleWithCertificate', () => getCredentials(ctx, shared, device), { maxAttempts: 1 }),
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ProtocolError('the credentials provider answered 200 with a body that is not JSON');
  }
  const answer = CredentialsAnswer.safeParse(parsed);
  if (!answer.success) {
    throw new ProtocolError(
      `the credentials provider's answer lacks ${answer.error.issues[0]?.path.join('.') ?? 'credentials'}`,
    );
  }
  if (Date.parse(answer.data.credentials.expiration) <= Date.now()) {
    throw new ProtocolError('the credentials provider returned credentials that have already expired');
  }
}
