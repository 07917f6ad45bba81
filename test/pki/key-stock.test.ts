import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyPool } from '../../src/pki/key-pool.js';
import { defaultKeyStockDir, KeyStock } from '../../src/pki/key-stock.js';
import { fillKeyStock } from '../../src/pki/key-stock-fill.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'provbench-stock-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('key stock', () => {
  it('fills to a count with keys only its owner can read, and takes each key once', async () => {
    const stock = new KeyStock(join(root, 'keys'), 'ec-p256');
    const filled = await fillKeyStock(stock, { target: 4, workers: 2 });
    expect(filled).toMatchObject({ added: 4, inStock: 4 });
    const again = await fillKeyStock(stock, { target: 4 });
    expect(again.added).toBe(0);
    expect(await mode(join(root, 'keys'))).toBe(0o700);
    expect(await mode(stock.dir)).toBe(0o700);
    const files = await readdir(stock.dir);
    expect(files).toHaveLength(4);
    for (const file of files) expect(await mode(join(stock.dir, file))).toBe(0o600);

    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await stock.take());
    for (const key of taken) {
      expect(key?.algorithm).toBe('ec-p256');
      expect(key?.privateKeyPem).toContain('BEGIN EC PRIVATE KEY');
      const derived = createPublicKey(createPrivateKey(key!.privateKeyPem)).export({
        type: 'spki',
        format: 'pem',
      });
      expect(key?.publicKeyPem).toBe(derived);
    }
    expect(new Set(taken.map((key) => key?.privateKeyPem)).size).toBe(4);
    expect(await stock.take()).toBeUndefined();
    expect(await readdir(stock.dir)).toEqual([]);
  });

  it('never hands the same key to two stocks sharing the directory', async () => {
    const dir = join(root, 'keys');
    await fillKeyStock(new KeyStock(dir, 'ec-p256'), { target: 24, workers: 1 });
    const takers = [1, 2, 3].map(() => new KeyStock(dir, 'ec-p256'));
    const takeAll = async (stock: KeyStock) => {
      const keys: string[] = [];
      for (let key = await stock.take(); key; key = await stock.take()) keys.push(key.privateKeyPem);
      return keys;
    };
    const results = await Promise.all(takers.map(takeAll));
    const all = results.flat();
    expect(all).toHaveLength(24);
    expect(new Set(all).size).toBe(24);
  });

  it('never hands the same key to two processes sharing the directory', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const dir = join(root, 'keys');
    await fillKeyStock(new KeyStock(dir, 'ec-p256'), { target: 60, workers: 1 });
    const taker = join(import.meta.dirname, '../support/key-stock-taker.ts');
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', taker, dir]);
    const outputs = await Promise.all([run(), run()]);
    const hashes = outputs.flatMap(({ stdout }) => stdout.split('\n').filter(Boolean));
    expect(hashes).toHaveLength(60);
    expect(new Set(hashes).size).toBe(60);
    expect(await new KeyStock(dir, 'ec-p256').count()).toBe(0);
  }, 60_000);

  it('tightens an existing directory to 0700 and keeps RSA and EC stocks apart', async () => {
    const dir = join(root, 'keys');
    await mkdir(join(dir, 'rsa-2048'), { recursive: true, mode: 0o755 });
    await chmod(dir, 0o755);
    const ec = new KeyStock(dir, 'ec-p256');
    await fillKeyStock(ec, { target: 1 });
    const rsa = new KeyStock(dir, 'rsa-2048');
    await rsa.prepare();
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(rsa.dir)).toBe(0o700);
    expect(await rsa.take()).toBeUndefined();
    await expect(rsa.add([{ ...(await ec.take())! }])).rejects.toThrow(
      'does not belong in the rsa-2048 stock',
    );
  });

  it('lives under the cache directory unless PROVBENCH_KEY_STOCK says where', () => {
    expect(defaultKeyStockDir({ PROVBENCH_KEY_STOCK: '/x/keys' })).toBe('/x/keys');
    expect(defaultKeyStockDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/provbench/keys');
  });

  it('a key pool with a stock generates nothing while the stock lasts', async () => {
    const stock = new KeyStock(join(root, 'keys'), 'ec-p256');
    await fillKeyStock(stock, { target: 2 });
    const pool = new KeyPool({ algorithm: 'ec-p256', size: 4, stock });
    try {
      await pool.take();
      await pool.take();
      await new Promise((r) => setTimeout(r, 300));
      expect(pool.available).toBe(0);
      await pool.take();
      expect(pool.supply.report()).toMatchObject({ fromStock: 2, generated: 1, ranOutAfter: 2 });
      await pool.warm();
      expect(pool.available).toBe(4);
    } finally {
      await pool.close();
    }
  });

  it('a key pool hands out stocked keys before generating and counts where each came from', async () => {
    const stock = new KeyStock(join(root, 'keys'), 'ec-p256');
    await fillKeyStock(stock, { target: 2 });
    const pool = new KeyPool({ algorithm: 'ec-p256', size: 0, stock });
    try {
      const keys = [await pool.take(), await pool.take(), await pool.take()];
      expect(new Set(keys.map((key) => key.privateKeyPem)).size).toBe(3);
      expect(pool.supply.report()).toMatchObject({
        algorithm: 'ec-p256',
        stockDir: stock.dir,
        fromReady: 0,
        fromStock: 2,
        generated: 1,
        ranOutAfter: 2,
      });
      expect(pool.supply.report().generatedPerSecond).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });
});

/** Nice values of this process's threads, by thread id (Linux /proc). */
async function threadNiceValues(): Promise<Map<number, number>> {
  const { readFile } = await import('node:fs/promises');
  const values = new Map<number, number>();
  for (const tid of await readdir('/proc/self/task')) {
    const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length > 17) values.set(Number(tid), Number(fields[16]));
  }
  return values;
}

describe('key stock top-up in idle time', () => {
  it('fills the stock to its target after the quiet time, on a nice-19 thread, leaving the main thread alone', async () => {
    const { IdleTopUp } = await import('../../src/pki/key-stock-topup.js');
    const ec = new KeyStock(join(root, 'keys'), 'ec-p256');
    const topUp = new IdleTopUp(ec, { target: 5, idleMs: 50 });
    try {
      for (let i = 0; i < 200 && (await ec.count()) < 5; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await ec.count()).toBe(5);
    } finally {
      topUp.close();
    }

    const rsa = new KeyStock(join(root, 'keys'), 'rsa-2048');
    const slow = new IdleTopUp(rsa, { target: 10_000, idleMs: 10 });
    try {
      let niced: number[] = [];
      for (let i = 0; i < 200 && niced.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const values = await threadNiceValues();
        niced = [...values].filter(([, nice]) => nice === 19).map(([tid]) => tid);
        expect(values.get(process.pid)).toBe(0);
      }
      expect(niced).toHaveLength(1);
    } finally {
      slow.close();
    }
  });
});
