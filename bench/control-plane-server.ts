/**
 * The control plane alone (no data plane, no Krypton) in its own process, for
 * bench/control-plane.ts. Prints one JSON line when ready, and answers each "stats" line on
 * stdin with CPU time, RSS, peak RSS and the key pool's fill level.
 *
 *   npx tsx bench/control-plane-server.ts <device-keys rsa-2048|ec-p256> <key-pool-size>
 */
import { createInterface } from 'node:readline';
import { startEmulator } from '../src/emulator/index.js';
import type { KeyAlgorithm } from '../src/pki/index.js';

const algorithm = (process.argv[2] ?? 'rsa-2048') as KeyAlgorithm;
const keyPoolSize = Number(process.argv[3] ?? '32');
const emulator = await startEmulator({
  quotas: 'none',
  listeners: [],
  deviceKeyAlgorithm: algorithm,
  keyPoolSize,
});
console.log(JSON.stringify({ ready: true, controlPlaneUrl: emulator.controlPlaneUrl }));

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'stats') return;
  const cpu = process.cpuUsage();
  console.log(
    JSON.stringify({
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssMb: process.memoryUsage.rss() / 2 ** 20,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      poolAvailable: emulator.pki.keyPool.available,
    }),
  );
});
lines.on('close', async () => {
  await emulator.close();
  process.exit(0);
});
