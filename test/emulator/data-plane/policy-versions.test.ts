import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARN, closed, devicePolicy, Harness, mustConnect } from '../../support/data-plane.js';

let harness: Harness;

beforeAll(async () => {
  harness = await Harness.start();
});

afterAll(async () => {
  await harness?.close();
});

describe('policy versions on the data plane', () => {
  it('a new default version applies to a live connection; a non-default one changes nothing', async () => {
    const device = await harness.device('dev-version');
    const policyName = `p-${device.certificateId.slice(0, 12)}`;
    const connectOnly = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/dev-version` }],
    });
    const client = await mustConnect(harness, device);
    // A version that is not the default is not in force.
    harness.registry.policyVersions.create(policyName, connectOnly, false);
    await client.publishAsync('things/dev-version/ok', 'allowed', { qos: 1 });
    // Version 2 becomes the default: it allows no publish, so the next one closes the connection.
    harness.registry.policyVersions.setDefault(policyName, '2');
    const wasClosed = closed(client);
    client.publish('things/dev-version/ok', 'denied now', { qos: 1 });
    expect(await wasClosed).toBe(true);
    client.end(true);

    // Back to version 1: a new connection may publish again.
    harness.registry.policyVersions.setDefault(policyName, '1');
    expect(harness.registry.describePolicy(policyName).policyDocument).toBe(devicePolicy);
    const again = await mustConnect(harness, device);
    await again.publishAsync('things/dev-version/ok', 'allowed again', { qos: 1 });
    await again.endAsync();
  });
});
