import { generateKeyPairSync, sign, verify } from 'node:crypto';
import type { IoTClient } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { provisionThingWithCertificate } from '../../scenarios/lib/attach.js';
import { DeviceCa } from '../../scenarios/lib/device-ca.js';
import { createCsr, generateDeviceKey } from '../../scenarios/lib/device-keys.js';
import { encodeSubject, renderSubject } from '../../scenarios/lib/distinguished-name.js';
import { verifyCsr } from '../../scenarios/lib/fast-csr.js';
import { publicKeyOf, spkiOf } from '../../scenarios/lib/spki.js';
import { x509 } from '../../scenarios/lib/x509.js';
import type { Ledger, ResourceRef, RunContext } from '../../src/contract/scenario.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A RunContext whose control plane answers only when the test says so, logging every step. */
function recordingContext() {
  const events: string[] = [];
  const pending = new Map<string, Deferred<unknown>>();
  const answer = (command: string) => {
    const call = pending.get(command);
    if (!call) throw new Error(`${command} was not sent`);
    return call;
  };
  const iot = {
    send(command: { constructor: { name: string } }) {
      const name = command.constructor.name.replace(/Command$/, '');
      events.push(`send:${name}`);
      const call = deferred<unknown>();
      pending.set(name, call);
      return call.promise;
    },
  } as unknown as IoTClient;
  const ledger: Ledger = {
    intend: (resource: ResourceRef) => {
      events.push(`intend:${resource.kind}`);
      return { key: resource.kind };
    },
    acknowledge: (handle) => {
      events.push(`ack:${handle.key}`);
    },
    async track(resource, create, identify) {
      const handle = ledger.intend(resource);
      const result = await create();
      ledger.acknowledge(handle, identify?.(result));
      return result;
    },
  };
  const ctx = {
    ledger,
    iot,
    phase: <T>(_name: string, fn: () => Promise<T>) => fn(),
  } as unknown as RunContext;
  return { ctx, events, answer };
}

describe('registry steps of the control-plane factory', () => {
  const certificateArn = 'arn:aws:iot:us-east-1:123456789012:cert/abc';

  it('creates the thing while the certificate is made, then attaches policy and thing side by side', async () => {
    const { ctx, events, answer } = recordingContext();
    const certificate = deferred<{ certificateArn: string; note: string }>();
    const done = provisionThingWithCertificate(
      ctx,
      { index: 3 },
      {
        thingName: 'dev-3',
        policyName: 'device-policy',
        createCertificate: () => ctx.ledger.track({ kind: 'certificate' }, () => certificate.promise),
      },
    );
    await tick();
    expect(events).toEqual(['intend:certificate', 'intend:thing', 'send:CreateThing']);

    answer('CreateThing').resolve({});
    await tick();
    expect(events).toEqual(['intend:certificate', 'intend:thing', 'send:CreateThing', 'ack:thing']);

    certificate.resolve({ certificateArn, note: 'kept' });
    await tick();
    // Both attachments are in flight before either is answered, each recorded before it is sent.
    expect(events.slice(4)).toEqual([
      'ack:certificate',
      'intend:policy-principal',
      'send:AttachPolicy',
      'intend:thing-principal',
      'send:AttachThingPrincipal',
    ]);
    answer('AttachThingPrincipal').resolve({});
    answer('AttachPolicy').resolve({});
    await expect(done).resolves.toEqual({ certificateArn, note: 'kept' });
    expect(events.slice(-2).sort()).toEqual(['ack:policy-principal', 'ack:thing-principal']);
  });

  it('fails only after the certificate step has settled and been acknowledged', async () => {
    const { ctx, events, answer } = recordingContext();
    const certificate = deferred<{ certificateArn: string }>();
    let settled = false;
    const done = provisionThingWithCertificate(
      ctx,
      { index: 4 },
      {
        thingName: 'dev-4',
        policyName: 'device-policy',
        createCertificate: () => ctx.ledger.track({ kind: 'certificate' }, () => certificate.promise),
      },
    ).finally(() => {
      settled = true;
    });
    done.catch(() => {});
    await tick();
    answer('CreateThing').reject(new Error('ResourceAlreadyExistsException'));
    await tick();
    expect(settled).toBe(false);

    certificate.resolve({ certificateArn });
    await expect(done).rejects.toThrow('ResourceAlreadyExistsException');
    expect(events).toContain('ack:certificate');
    expect(events.filter((event) => event.startsWith('send:Attach'))).toEqual([]);
  });
});

describe('device subjects without the ASN.1 library', () => {
  const subjects = [
    'CN=bench1a2b-pre-issued-000017',
    'CN=t_run-byo_ca-000001',
    'CN=dev.7',
    'CN=device-7, O=acme',
    'CN=with space',
    'CN=a\\,b',
    'O=acme',
  ];

  it('encodes the same bytes as @peculiar/x509 and renders the same text', () => {
    for (const subject of subjects) {
      const expected = Buffer.from(new x509.Name(subject).toArrayBuffer());
      const der = encodeSubject(subject);
      expect(der.toString('hex'), subject).toBe(expected.toString('hex'));
      expect(renderSubject(der), subject).toBe(new x509.Name(new Uint8Array(expected)).toString());
    }
  });

  it('renders a Common Name written as UTF8String or PrintableString by other tools', () => {
    const utf8 = Buffer.from(new x509.Name([{ CN: [{ utf8String: 'dev-9' }] }]).toArrayBuffer());
    expect(utf8.includes(Buffer.from([0x0c, 0x05]))).toBe(true);
    expect(renderSubject(utf8)).toBe('CN=dev-9');
  });
});

describe('device keys and CSRs with Node crypto', () => {
  it('gives the SubjectPublicKeyInfo OpenSSL encodes, and imports it back to the same key', () => {
    for (const options of [
      { type: 'ec' as const, params: { namedCurve: 'P-256' } },
      { type: 'ec' as const, params: { namedCurve: 'P-384' } },
      { type: 'rsa' as const, params: { modulusLength: 2048 } },
    ]) {
      const { publicKey, privateKey } =
        options.type === 'ec'
          ? generateKeyPairSync('ec', options.params as { namedCurve: string })
          : generateKeyPairSync('rsa', options.params as { modulusLength: number });
      const expected = publicKey.export({ type: 'spki', format: 'der' });
      const spki = spkiOf(publicKey);
      expect(spki.equals(expected)).toBe(true);
      const imported = publicKeyOf(spki);
      expect(imported.export({ type: 'spki', format: 'der' }).equals(expected)).toBe(true);
      const data = Buffer.from('factory');
      expect(verify('sha256', data, imported, sign('sha256', data, privateKey))).toBe(true);
    }
  });

  it('makes a CSR the CA verifies, carrying the device key and the subject', async () => {
    const key = await generateDeviceKey('ec');
    expect(key.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const csrPem = createCsr(key, 'CN=run_1-byo-ca-000042');
    expect(await new x509.Pkcs10CertificateRequest(csrPem).verify()).toBe(true);
    expect(verifyCsr(csrPem)).toEqual({ spkiDer: key.spkiDer, subject: 'CN=run_1-byo-ca-000042' });
    const ca = await DeviceCa.create({ commonName: 'factory CA' });
    const certificate = new x509.X509Certificate(await ca.signCsr(csrPem));
    expect(certificate.subject).toBe('CN=run_1-byo-ca-000042');
    expect(Buffer.from(certificate.publicKey.rawData).equals(key.spkiDer)).toBe(true);
  });
});
