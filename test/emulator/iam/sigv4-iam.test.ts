import {
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteThingCommand,
  DescribeThingCommand,
  IoTClient,
  ListPoliciesCommand,
  ListThingsCommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRequestHandler } from '../../../src/emulator/control-plane/in-process-handler.js';
import { coHostedControlPlane } from '../../../src/emulator/control-plane/server.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { ACCOUNT, TEST_IAM } from '../../support/iam.js';

function clientFor(test: TestEmulator, accessKeyId: string, secretAccessKey: string, extra = {}): IoTClient {
  return new IoTClient({
    endpoint: test.emulator.controlPlaneUrl,
    region: test.emulator.region,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
    ...extra,
  });
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const typed = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: typed.name, message: typed.message, status: typed.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('SigV4 and IAM on the control plane (--iam), through @aws-sdk/client-iot', () => {
  let test: TestEmulator;
  let builder: IoTClient;
  const clients: IoTClient[] = [];
  const client = (...args: Parameters<typeof clientFor> extends [unknown, ...infer R] ? R : never) => {
    const made = clientFor(test, ...args);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    test = await startTestEmulator({ listeners: [], keyPoolSize: 0, iam: TEST_IAM });
    builder = client('AKIABUILDER000000001', 'builder-secret');
  });

  afterAll(async () => {
    for (const each of clients) each.destroy();
    await test?.close();
  });

  it('accepts a request signed with a known key and allowed by its policy (wildcard action and resource)', async () => {
    const created = await builder.send(new CreateThingCommand({ thingName: 'allowed-1' }));
    expect(created.thingArn).toBe(`arn:aws:iot:us-east-1:${ACCOUNT}:thing/allowed-1`);
    // A percent-encoded path label (':' is %3A) and query parameters are signed as sent.
    await builder.send(new CreateThingCommand({ thingName: 'allowed-a:b' }));
    const described = await builder.send(new DescribeThingCommand({ thingName: 'allowed-a:b' }));
    expect(described.thingName).toBe('allowed-a:b');
    const listed = await builder.send(
      new ListThingsCommand({ maxResults: 5, attributeName: 'x', attributeValue: 'a/b:c' }),
    );
    expect(listed.things).toEqual([]);
  });

  it('answers UnrecognizedClientException for an access key it does not know', async () => {
    const error = await failure(client('AKIAUNKNOWN000000001', 'whatever').send(new ListThingsCommand({})));
    expect(error).toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      status: 403,
    });
  });

  it('answers InvalidSignatureException when the secret is wrong', async () => {
    const error = await failure(
      client('AKIABUILDER000000001', 'wrong-secret').send(new ListThingsCommand({})),
    );
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(
      /^The request signature we calculated does not match the signature you provided\./,
    );
    expect(error.status).toBe(403);
  });

  it('answers InvalidSignatureException "Signature expired" for a request signed 10 minutes ago', async () => {
    const late = client('AKIABUILDER000000001', 'builder-secret', { systemClockOffset: -10 * 60_000 });
    const error = await failure(late.send(new ListThingsCommand({})));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
    );
  });

  it('refuses a request changed after it was signed (body, then query)', async () => {
    type Request = { body?: unknown; query?: Record<string, unknown> };
    const tampered = client('AKIABUILDER000000001', 'builder-secret');
    let change: (request: Request) => void = () => undefined;
    tampered.middlewareStack.addRelativeTo(
      ((next: (args: { request: Request }) => Promise<unknown>) => async (args: { request: Request }) => {
        change(args.request);
        return next(args);
      }) as unknown as Parameters<typeof tampered.middlewareStack.addRelativeTo>[0],
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperAfterSigning' },
    );
    // Same length, so only the signature can tell.
    change = (request) => {
      const text = Buffer.from(request.body as Uint8Array).toString('utf8');
      request.body = Buffer.from(text.replace('"site":"a"', '"site":"b"'), 'utf8');
    };
    const input = { thingName: 'allowed-tampered', attributePayload: { attributes: { site: 'a' } } };
    const body = await failure(tampered.send(new CreateThingCommand(input)));
    expect(body).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    change = (request) => {
      request.query = { ...request.query, maxResults: '7' };
    };
    const query = await failure(tampered.send(new ListThingsCommand({ maxResults: 5 })));
    expect(query).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    change = () => undefined;
    await tampered.send(new CreateThingCommand(input));
  });

  it('answers IncompleteSignatureException to a malformed Authorization header and checks the scope', async () => {
    const response = await fetch(`${test.emulator.controlPlaneUrl}/things`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIABUILDER000000001' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('IncompleteSignatureException:');
    const otherRegion = client('AKIABUILDER000000001', 'builder-secret', { region: 'eu-west-1' });
    const error = await failure(otherRegion.send(new ListThingsCommand({})));
    expect(error).toMatchObject({
      name: 'InvalidSignatureException',
      message: "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    });
  });

  it('answers MissingAuthenticationTokenException to an unsigned request', async () => {
    const response = await fetch(`${test.emulator.controlPlaneUrl}/things`);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException:');
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('denies by default, with the message AWS words', async () => {
    const error = await failure(
      builder.send(new CreatePolicyCommand({ policyName: 'p', policyDocument: '{}' })),
    );
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      status: 403,
      message: `User: arn:aws:iam::${ACCOUNT}:user/builder is not authorized to perform: iot:CreatePolicy on resource: arn:aws:iot:us-east-1:${ACCOUNT}:policy/p because no identity-based policy allows the iot:CreatePolicy action`,
    });
    const outside = await failure(builder.send(new CreateThingCommand({ thingName: 'elsewhere' })));
    expect(outside.name).toBe('AccessDeniedException');
  });

  it('lets an explicit Deny win over an Allow', async () => {
    const error = await failure(builder.send(new CreateThingCommand({ thingName: 'allowed-but-denied' })));
    expect(error.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/builder is not authorized to perform: iot:CreateThing on resource: arn:aws:iot:us-east-1:${ACCOUNT}:thing/allowed-but-denied with an explicit deny in an identity-based policy`,
    );
  });

  it('evaluates conditions and policy variables with the data plane evaluator', async () => {
    const conditional = client('AKIACONDITIONAL00001', 'conditional-secret');
    await expect(conditional.send(new ListThingsCommand({}))).resolves.toBeDefined();
    expect((await failure(conditional.send(new ListPoliciesCommand({})))).name).toBe('AccessDeniedException');
    const document = JSON.stringify({
      Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
    });
    await conditional.send(
      new CreatePolicyCommand({ policyName: 'conditional-1', policyDocument: document }),
    );
    const other = await failure(
      conditional.send(new CreatePolicyCommand({ policyName: 'other-1', policyDocument: document })),
    );
    expect(other.name).toBe('AccessDeniedException');
  });

  it('supports NotAction', async () => {
    const noDeletes = client('AKIANODELETES0000001', 'no-deletes-secret');
    await noDeletes.send(new CreateThingCommand({ thingName: 'kept' }));
    expect((await failure(noDeletes.send(new DeleteThingCommand({ thingName: 'kept' })))).name).toBe(
      'AccessDeniedException',
    );
  });

  it('verifies the in-process path (the Krypton service hands signed requests to the dispatcher)', async () => {
    const dispatcher = coHostedControlPlane(test.emulator.controlPlaneUrl);
    expect(dispatcher).toBeDefined();
    const inProcess = (secret: string) =>
      client('AKIABUILDER000000001', secret, { requestHandler: new InProcessRequestHandler(dispatcher!) });
    await inProcess('builder-secret').send(new CreateThingCommand({ thingName: 'allowed-in-process' }));
    const wrong = await failure(inProcess('wrong').send(new CreateThingCommand({ thingName: 'allowed-2' })));
    expect(wrong.name).toBe('InvalidSignatureException');
    const denied = await failure(
      inProcess('builder-secret').send(new CreateThingCommand({ thingName: 'nope' })),
    );
    expect(denied.name).toBe('AccessDeniedException');
  });
});

describe('without --iam', () => {
  it('keeps accepting any credentials', async () => {
    const test = await startTestEmulator({ listeners: [], keyPoolSize: 0 });
    try {
      const anyone = clientFor(test, 'whatever', 'anything');
      await anyone.send(new CreateThingCommand({ thingName: 'open' }));
      anyone.destroy();
      const unsigned = await fetch(`${test.emulator.controlPlaneUrl}/things`);
      expect(unsigned.status).toBe(200);
    } finally {
      await test.close();
    }
  });
});
