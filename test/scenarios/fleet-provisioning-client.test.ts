import { describe, expect, it } from 'vitest';
import {
  createCertificateFromCsr,
  createKeysAndCertificate,
  registerThing,
} from '../../scenarios/lib/fleet-provisioning-client.js';
import type { DeviceMqttConnection, MqttResponse } from '../../scenarios/lib/mqtt-device.js';
import { ClassifiedError } from '../../src/contract/errors.js';

/** A connection that answers every request with one canned response and records the request. */
function answering(accepted: boolean, body: unknown) {
  const requests: Array<{ topic: string; payload: unknown }> = [];
  const connection = {
    async request(topic: string, payload: string): Promise<MqttResponse> {
      requests.push({ topic, payload: JSON.parse(payload) });
      return {
        topic: `${topic}/${accepted ? 'accepted' : 'rejected'}`,
        payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
        accepted,
      };
    },
  } as unknown as DeviceMqttConnection;
  return { connection, requests };
}

async function errorOf(promise: Promise<unknown>): Promise<ClassifiedError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ClassifiedError))
    throw new Error(`expected a ClassifiedError, got ${String(error)}`);
  return error;
}

describe('fleet provisioning MQTT client', () => {
  it('publishes the documented request payloads on the documented topics', async () => {
    const keys = answering(true, {
      certificateId: 'c1',
      certificatePem: 'pem',
      privateKey: 'key',
      certificateOwnershipToken: 'tok',
    });
    await createKeysAndCertificate(keys.connection);
    expect(keys.requests).toEqual([{ topic: '$aws/certificates/create/json', payload: {} }]);

    const csr = answering(true, {
      certificateId: 'c2',
      certificatePem: 'pem',
      certificateOwnershipToken: 'tok',
    });
    await createCertificateFromCsr(csr.connection, 'CSR PEM');
    expect(csr.requests).toEqual([
      { topic: '$aws/certificates/create-from-csr/json', payload: { certificateSigningRequest: 'CSR PEM' } },
    ]);

    const thing = answering(true, { thingName: 'dev-1', deviceConfiguration: { a: '1' } });
    expect(await registerThing(thing.connection, 'tmpl', 'tok', { SerialNumber: 'dev-1' })).toEqual({
      thingName: 'dev-1',
      deviceConfiguration: { a: '1' },
    });
    expect(thing.requests).toEqual([
      {
        topic: '$aws/provisioning-templates/tmpl/provision/json',
        payload: { certificateOwnershipToken: 'tok', parameters: { SerialNumber: 'dev-1' } },
      },
    ]);
  });

  it('classifies a rejected answer by its statusCode', async () => {
    const cases: Array<[number, string]> = [
      [429, 'throttled'],
      [403, 'auth_rejected'],
      [400, 'protocol_error'],
      [500, 'server_error'],
    ];
    for (const [statusCode, errorClass] of cases) {
      const { connection } = answering(false, { statusCode, errorCode: 'X', errorMessage: 'why' });
      const error = await errorOf(createKeysAndCertificate(connection));
      expect(error.errorClass, String(statusCode)).toBe(errorClass);
      expect(error.message).toContain(`${statusCode} X why`);
    }
  });

  it('treats an accepted answer missing a field, or a non-JSON payload, as a protocol error', async () => {
    const missing = answering(true, { certificateId: 'c1', certificatePem: 'pem' });
    expect((await errorOf(createKeysAndCertificate(missing.connection))).errorClass).toBe('protocol_error');
    const garbage = answering(true, 'not json');
    expect((await errorOf(createKeysAndCertificate(garbage.connection))).errorClass).toBe('protocol_error');
  });
});
