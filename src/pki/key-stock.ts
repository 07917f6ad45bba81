import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KeyAlgorithm, KeyPairPem } from './keys.js';

/** A stocked key's file name ends so; anything else in the directory (half-written, taken) is ignored. */
const KEY_SUFFIX = '.pem';
/** How often an empty stock looks at its directory again (another process may be filling it). */
const EMPTY_RECHECK_MS = 1_000;

/**
 * Where the stock lives unless told: `$PROVBENCH_KEY_STOCK`, else `$XDG_CACHE_HOME/provbench/keys`,
 * else `~/.cache/provbench/keys`.
 */
export function defaultKeyStockDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PROVBENCH_KEY_STOCK) return env.PROVBENCH_KEY_STOCK;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'provbench', 'keys');
}

function uniqueName(): string {
  return `${Date.now().toString(36)}-${randomBytes(9).toString('hex')}`;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Device key pairs generated ahead of time and kept on disk, one private key per file (0600) in
 * `<dir>/<algorithm>/` (0700). A take renames the file to a name only the taker knows before
 * reading it, so two processes sharing the directory never hand out the same key; the file is
 * then deleted: each key is used once. Keys are never logged.
 */
export class KeyStock {
  readonly root: string;
  readonly algorithm: KeyAlgorithm;
  readonly dir: string;
  private listing: string[] = [];
  private listedAt = 0;

  constructor(root: string, algorithm: KeyAlgorithm) {
    this.root = root;
    this.algorithm = algorithm;
    this.dir = join(root, algorithm);
  }

  /** Creates the directories (0700, also when they already existed). */
  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.root, 0o700);
    await chmod(this.dir, 0o700);
  }

  /** Keys in stock now. */
  async count(): Promise<number> {
    return (await this.list()).length;
  }

  /** Stores key pairs; each appears whole or not at all (written aside, then renamed in). */
  async add(keys: KeyPairPem[]): Promise<void> {
    for (const key of keys) {
      if (key.algorithm !== this.algorithm) {
        throw new Error(`a ${key.algorithm} key does not belong in the ${this.algorithm} stock`);
      }
      const name = uniqueName();
      const partial = join(this.dir, `.${name}.partial`);
      await writeFile(partial, key.privateKeyPem, { mode: 0o600, flag: 'wx' });
      await rename(partial, join(this.dir, `${name}${KEY_SUFFIX}`));
    }
  }

  /** One key, removed from the stock; undefined when the stock is empty. */
  async take(): Promise<KeyPairPem | undefined> {
    for (;;) {
      if (this.listing.length === 0) {
        if (Date.now() - this.listedAt < EMPTY_RECHECK_MS) return undefined;
        this.listing = await this.list();
        this.listedAt = Date.now();
        if (this.listing.length === 0) return undefined;
      }
      const name = this.listing.pop() as string;
      const claimed = join(this.dir, `.${name}.taken-${process.pid}-${randomBytes(6).toString('hex')}`);
      try {
        await rename(join(this.dir, name), claimed);
      } catch (error) {
        if (isMissing(error)) continue; // another process took it first
        throw error;
      }
      try {
        return this.keyPairFrom(await readFile(claimed, 'utf8'));
      } finally {
        await unlink(claimed).catch(() => undefined);
      }
    }
  }

  /** Deletes every stocked key of this algorithm. */
  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    this.listing = [];
  }

  private async list(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((name) => !name.startsWith('.') && name.endsWith(KEY_SUFFIX));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  private keyPairFrom(privateKeyPem: string): KeyPairPem {
    const publicKey = createPublicKey(createPrivateKey(privateKeyPem));
    return {
      algorithm: this.algorithm,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem,
    };
  }
}
