import { Command, Option } from 'commander';
import { defaultKeyStockDir, KeyStock } from '../../pki/key-stock.js';
import { fillKeyStock } from '../../pki/key-stock-fill.js';
import type { KeyAlgorithm } from '../../pki/keys.js';
import { positiveInteger } from '../options.js';

/** Keys a fill aims for unless told: a 2,000-device run at AWS's 10 CreateKeysAndCertificate per second. */
export const DEFAULT_FILL_COUNT = 2_000;

const ALGORITHMS: Record<'rsa' | 'ec', KeyAlgorithm> = { rsa: 'rsa-2048', ec: 'ec-p256' };

function dirOption(): Option {
  return new Option(
    '--dir <dir>',
    'key stock directory (default $PROVBENCH_KEY_STOCK, else $XDG_CACHE_HOME/provbench/keys, else ~/.cache/provbench/keys)',
  );
}

function keyTypeOption(): Option {
  return new Option('--key-type <type>', 'rsa (RSA-2048, what AWS issues) or ec (EC P-256)')
    .choices(['rsa', 'ec'])
    .default('rsa');
}

/** `provbench keys`: the stock of device keys the embedded emulator hands out before generating any. */
export function keysCommand(): Command {
  const keys = new Command('keys').description(
    "device keys generated ahead of time, so key generation never bounds a run below AWS's quotas",
  );
  keys
    .command('fill')
    .description('generate keys until the stock holds --count of them (each key is handed out once)')
    .option('--count <n>', 'keys the stock should hold', positiveInteger, DEFAULT_FILL_COUNT)
    .addOption(keyTypeOption())
    .addOption(dirOption())
    .option('--workers <n>', 'worker threads generating keys (default: CPU cores)', positiveInteger)
    .action(async (options: { count: number; keyType: 'rsa' | 'ec'; dir?: string; workers?: number }) => {
      const stock = new KeyStock(options.dir ?? defaultKeyStockDir(), ALGORITHMS[options.keyType]);
      let shown = 0;
      const outcome = await fillKeyStock(stock, {
        target: options.count,
        workers: options.workers,
        onProgress: (inStock) => {
          if (process.stderr.isTTY && inStock - shown >= 50) {
            shown = inStock;
            process.stderr.write(`\r${inStock}/${options.count} ${stock.algorithm} keys`);
          }
        },
      });
      if (shown > 0) process.stderr.write('\n');
      const rate = outcome.added > 0 ? `, ${(outcome.added / outcome.seconds).toFixed(1)} keys/s` : '';
      console.log(
        `${stock.dir}: ${outcome.inStock} ${stock.algorithm} keys (added ${outcome.added} in ${outcome.seconds.toFixed(1)} s${rate})`,
      );
    });
  keys
    .command('status')
    .description('how many keys are in stock and how big a run they cover')
    .addOption(dirOption())
    .action(async (options: { dir?: string }) => {
      const root = options.dir ?? defaultKeyStockDir();
      for (const algorithm of Object.values(ALGORITHMS)) {
        const count = await new KeyStock(root, algorithm).count();
        console.log(
          `${algorithm}: ${count} keys in ${root}: covers ${count} CreateKeysAndCertificate calls (one per device in pre-issued and fleet-provisioning-by-claim runs) before keys are generated on demand`,
        );
      }
    });
  return keys;
}
