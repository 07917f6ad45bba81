/**
 * What the field link costs the harness itself (docs/field-conditions.md):
 *
 * 1. CPU per device, `none` against a zero-delay profile (no delay, no loss, 10 Gbps): the same
 *    TLS exchange (connect, 512 bytes up, 512 back, close) `--devices` times with 32 in flight,
 *    in `--batches` batches alternating between the two; the harness process's own CPU divided
 *    by devices. Aim: at most 10 % more with the link.
 * 2. CPU per device of each pattern, `none` against the same zero-delay link: `--pattern-devices`
 *    devices of each of `--patterns` through the engine on the embedded target (quotas off, its
 *    emulator in its own process), in `--rounds` rounds alternating between the two; the harness
 *    process's CPU over the devices stage divided by devices. A device here is what a run's
 *    device costs: its keys, the factory's calls, its connections and MQTT, the recorder.
 * 3. `--in-flight` devices at once on `--profile` (default 10,000 on nb-iot): each holds a TLS
 *    connection through its own link for the exchange; the harness's peak RSS and its event-loop
 *    delay p99 (perf_hooks.monitorEventLoopDelay) while they are all in flight.
 *
 * The TLS server runs in a child process, so the figures are the harness's alone.
 *
 *   node --import tsx bench/network-overhead.ts [--devices 2000] [--batches 10] [--pattern-devices 300]
 *     [--rounds 4] [--patterns pre-issued,byo-ca,...] [--in-flight 10000] [--profile nb-iot]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { parseArgs } from 'node:util';
import { DeviceCa } from '../scenarios/lib/device-ca.js';
import { generateDeviceKeyPair } from '../scenarios/lib/device-keys.js';
import { BUILTIN_PROFILES, resolveNetworkProfile } from '../src/network/builtin-profiles.js';
import { DeviceLink } from '../src/network/field-link.js';
import type { NetworkProfile } from '../src/network/profile.js';
import { startEmbeddedTarget } from '../src/targets/embedded.js';
import { patternCpuPerDevice } from './pattern-cpu.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '2000' },
    batches: { type: 'string', default: '10' },
    'pattern-devices': { type: 'string', default: '300' },
    rounds: { type: 'string', default: '4' },
    patterns: { type: 'string', default: 'pre-issued,byo-ca,jitr,krypton,jitp,fleet-provisioning' },
    'in-flight': { type: 'string', default: '10000' },
    profile: { type: 'string', default: 'nb-iot' },
  },
});
const devices = Number(values.devices);
const batches = Number(values.batches);
const patternDevices = Number(values['pattern-devices']);
const rounds = Number(values.rounds);
const patterns = (values.patterns ?? '').split(',').filter(Boolean);
const inFlight = Number(values['in-flight']);
const slowProfile = resolveNetworkProfile(values.profile);
const EXCHANGE_BYTES = 512;

const zeroDelay: NetworkProfile = {
  name: 'zero-delay',
  rttMs: { median: 0, p95: 0 },
  uplinkKbps: 10_000_000,
  downlinkKbps: 10_000_000,
  packetLoss: 0,
  radioSetupMs: 0,
};

/** A TLS server that answers 512 bytes for every 512 received, in a child process. */
async function startServer(): Promise<{ port: number; caPem: string; stop: () => void }> {
  const ca = await DeviceCa.create({ commonName: 'bench root' });
  const key = await generateDeviceKeyPair('ec');
  const certPem = await ca.sign(key.keys.publicKey, 'CN=localhost', {
    altNames: [{ type: 'ip', value: '127.0.0.1' }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'pb-net-bench-'));
  const script = join(dir, 'server.mjs');
  writeFileSync(
    script,
    `import { createServer } from 'node:tls';
const server = createServer({ key: process.env.KEY, cert: process.env.CERT }, (socket) => {
  let got = 0;
  socket.on('data', (chunk) => { got += chunk.length; if (got >= ${EXCHANGE_BYTES}) { got -= ${EXCHANGE_BYTES}; socket.write(Buffer.alloc(${EXCHANGE_BYTES}, 2)); } });
  socket.on('error', () => {});
});
server.maxConnections = 1e6;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`,
    { mode: 0o600 },
  );
  const child = fork(script, [], { env: { ...process.env, KEY: key.privateKeyPem, CERT: certPem } });
  const [port] = (await once(child, 'message')) as [number];
  return { port, caPem: ca.certificatePem, stop: () => child.kill() };
}

async function exchange(link: DeviceLink, port: number, caPem: string): Promise<void> {
  const socket: TLSSocket = link.connectTls({ host: '127.0.0.1', port, ca: caPem });
  socket.on('error', () => undefined);
  await once(socket, 'secureConnect');
  const answered = new Promise<void>((resolve) => {
    let got = 0;
    socket.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got >= EXCHANGE_BYTES) resolve();
    });
  });
  socket.write(Buffer.alloc(EXCHANGE_BYTES, 1));
  await answered;
  socket.end();
  await once(socket, 'close');
}

/** CPU ms the harness process spends on `count` exchanges over `profile`, 32 in flight. */
async function cpuOf(profile: NetworkProfile, count: number, port: number, caPem: string): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  const slot = async () => {
    while (next < count) {
      const index = next++;
      await exchange(new DeviceLink(profile, 1, index), port, caPem);
    }
  };
  await Promise.all(Array.from({ length: 32 }, slot));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/**
 * CPU per device without and with the link: `--devices` exchanges each, in `--batches` batches
 * that alternate between the two, so a change in the machine's load hits both alike; the ratio
 * of the totals and the median of the batch pairs' ratios.
 */
async function overhead(
  port: number,
  caPem: string,
): Promise<{ none: number; link: number; medianRatio: number }> {
  const none = BUILTIN_PROFILES.none as NetworkProfile;
  const perBatch = Math.max(1, Math.round(devices / batches));
  await cpuOf(none, perBatch, port, caPem);
  await cpuOf(zeroDelay, perBatch, port, caPem);
  const ratios: number[] = [];
  let noneMs = 0;
  let linkMs = 0;
  for (let batch = 0; batch < batches; batch++) {
    // Alternate which goes first too.
    const first = batch % 2 === 0;
    const a = await cpuOf(first ? none : zeroDelay, perBatch, port, caPem);
    const b = await cpuOf(first ? zeroDelay : none, perBatch, port, caPem);
    const [noneBatch, linkBatch] = first ? [a, b] : [b, a];
    noneMs += noneBatch;
    linkMs += linkBatch;
    ratios.push(linkBatch / noneBatch);
  }
  ratios.sort((x, y) => x - y);
  const count = perBatch * batches;
  return {
    none: noneMs / count,
    link: linkMs / count,
    medianRatio: ratios[Math.floor(ratios.length / 2)] as number,
  };
}

/**
 * Harness CPU per device of each pattern without and with the zero-delay link: `--rounds`
 * rounds of `--pattern-devices` devices each way, alternating which goes first.
 */
async function patternOverhead(): Promise<void> {
  const none = BUILTIN_PROFILES.none as NetworkProfile;
  const workDir = mkdtempSync(join(tmpdir(), 'pb-net-patterns-'));
  const target = await startEmbeddedTarget({
    quotas: 'none',
    requestTimeoutMs: 30_000,
    workDir,
    keyType: 'ec',
  });
  try {
    for (const spec of patterns) {
      const run = (network: NetworkProfile) =>
        patternCpuPerDevice({ spec, network, devices: patternDevices, concurrency: 32, target, workDir });
      await run(none); // warm-up: module loading, the emulator's first certificates
      let noneMs = 0;
      let linkMs = 0;
      let failed = 0;
      const handshakes = { none: 0, link: 0 };
      const ratios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const first = round % 2 === 0;
        const a = await run(first ? none : zeroDelay);
        const b = await run(first ? zeroDelay : none);
        const [noneRound, linkRound] = first ? [a, b] : [b, a];
        noneMs += noneRound.harnessMs;
        linkMs += linkRound.harnessMs;
        failed += 2 * patternDevices - noneRound.succeeded - linkRound.succeeded;
        ratios.push(linkRound.harnessMs / noneRound.harnessMs);
        handshakes.none += noneRound.handshakesPerDevice / rounds;
        handshakes.link += linkRound.handshakesPerDevice / rounds;
      }
      ratios.sort((x, y) => x - y);
      const median = ratios[Math.floor(ratios.length / 2)] as number;
      console.log(
        `${spec.padEnd(20)} harness CPU per device: none ${(noneMs / rounds).toFixed(2)} ms, zero-delay link ${(linkMs / rounds).toFixed(2)} ms ` +
          `(${((linkMs / noneMs - 1) * 100).toFixed(1)} % more; median of round ratios ${((median - 1) * 100).toFixed(1)} %; aim <= 10 %); ` +
          `TLS handshakes per device ${handshakes.none.toFixed(2)} / ${handshakes.link.toFixed(2)}; ${failed} failed; load ${(loadavg()[0] ?? 0).toFixed(1)}`,
      );
    }
  } finally {
    await target.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const server = await startServer();
try {
  const result = await overhead(server.port, server.caPem);
  console.log(
    `CPU per TLS exchange (${devices} exchanges each, 32 in flight, ${batches} alternating batches): none ${result.none.toFixed(3)} ms, zero-delay link ${result.link.toFixed(3)} ms (+${(result.link - result.none).toFixed(3)} ms, ${((result.link / result.none - 1) * 100).toFixed(1)} % more; median of the batch ratios ${((result.medianRatio - 1) * 100).toFixed(1)} %)`,
  );
  if (patterns.length > 0 && rounds > 0) await patternOverhead();

  const delay = monitorEventLoopDelay({ resolution: 10 });
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 250);
  delay.enable();
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: inFlight }, (_, index) =>
      exchange(new DeviceLink(slowProfile, 1, index), server.port, server.caPem),
    ),
  );
  delay.disable();
  clearInterval(sampler);
  const failed = results.filter((result) => result.status === 'rejected').length;
  console.log(
    `${inFlight} devices in flight on ${slowProfile.name}: ${inFlight - failed} exchanges done (${failed} failed) in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `harness peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms (max ${(delay.max / 1e6).toFixed(1)} ms)`,
  );
} finally {
  server.stop();
}
