/**
 * The service half of a Krypton bootstrap without TLS or fastify: AwsIotProvisioner.provision()
 * (CreateKeysAndCertificate, CreateThing, AttachPolicy, AttachThingPrincipal through
 * @aws-sdk/client-iot) against the emulator's control plane in this process, over loopback HTTP
 * and through the in-process handler, side by side in alternating rounds. Prints CPU ms per
 * provision (this process, key-pool worker included), the steady figure on a shared machine.
 *
 *   npx tsx bench/krypton-provision.ts [--provisions 2000] [--concurrency 48] [--rounds 2]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { InProcessRequestHandler } from '../src/emulator/control-plane/in-process-handler.js';
import { coHostedControlPlane } from '../src/emulator/control-plane/server.js';
import { startEmulator } from '../src/emulator/index.js';
import { AwsIotProvisioner } from '../src/emulator/krypton/aws-provisioner.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    provisions: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '48' },
    rounds: { type: 'string', default: '2' },
  },
});
const provisions = Number(values.provisions);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);

const emulator = await startEmulator({
  quotas: 'none',
  deviceKeyAlgorithm: 'ec-p256',
  keyPoolSize: concurrency * 2,
  listeners: [],
});
const endpoint = emulator.controlPlaneUrl;
const policy = {
  policyName: 'bench-krypton',
  policyDocument:
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}',
};
const awsIot = { region: emulator.region, policyName: policy.policyName, thingNamePattern: 'x', host: 'h' };
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const transports = {
  http: new AwsIotProvisioner({ endpoint, credentials, ensurePolicy: policy }),
  'in-process': new AwsIotProvisioner({
    endpoint,
    credentials,
    ensurePolicy: policy,
    coHosted: { endpoint, requestHandler: new InProcessRequestHandler(coHostedControlPlane(endpoint)!) },
  }),
};

let serial = 0;
async function run(
  provisioner: AwsIotProvisioner,
  count: number,
): Promise<{ cpuMs: number; seconds: number }> {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await provisioner.provision(awsIot, `bench-${serial++}`);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: (cpu.user + cpu.system) / 1000, seconds: (performance.now() - started) / 1000 };
}

try {
  console.log(
    `load average ${loadavg()[0]!.toFixed(1)}; ${provisions} provisions per round, concurrency ${concurrency}`,
  );
  for (const provisioner of Object.values(transports)) await run(provisioner, concurrency * 4);
  for (let round = 1; round <= rounds; round++) {
    for (const [name, provisioner] of Object.entries(transports)) {
      const { cpuMs, seconds } = await run(provisioner, provisions);
      console.log(
        `round ${round} ${name.padEnd(10)}: ${(cpuMs / provisions).toFixed(2)} CPU ms per provision, ` +
          `${Math.round(provisions / seconds)}/s wall`,
      );
    }
  }
} finally {
  for (const provisioner of Object.values(transports)) provisioner.destroy();
  await emulator.close();
}
