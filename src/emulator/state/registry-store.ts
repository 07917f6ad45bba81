import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IotRegistry, RegistrySnapshot } from '../registry/index.js';

const FILE = 'registry.json';

/**
 * Saves the registry to `<stateDir>/registry.json` (atomic rename, mode 0600) shortly after
 * each change, every so often, or at close only, and loads it at start, so an emulator restarted on the same state dir keeps its
 * certificates, things and policies.
 */
export class RegistryStore {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;
  private lastSaveMs = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly delayMs = 200,
  ) {}

  get file(): string {
    return join(this.stateDir, FILE);
  }

  /** The saved snapshot, or undefined when this state dir has none yet. */
  async load(): Promise<RegistrySnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let snapshot: RegistrySnapshot;
    try {
      snapshot = JSON.parse(text) as RegistrySnapshot;
    } catch (error) {
      throw new Error(
        `${this.file} is not valid JSON (${(error as Error).message}): delete it or use another --state-dir`,
      );
    }
    if (snapshot.version !== 1) {
      throw new Error(
        `${this.file} has format version ${String(snapshot.version)}; this provbench reads version 1`,
      );
    }
    return snapshot;
  }

  /** Saves after every change to `registry`, debounced. */
  watch(registry: IotRegistry): void {
    this.unsubscribe = registry.events.on('changed', () => {
      this.dirty = true;
      // Large registries take a while to serialise: keep saving to at most ~20 % of the time.
      this.timer ??= setTimeout(
        () => {
          this.timer = undefined;
          this.saving = this.saving
            .then(() => this.save(registry))
            .catch((error: Error) =>
              console.error(`provbench: could not save ${this.file}: ${error.message}`),
            );
        },
        Math.max(this.delayMs, this.lastSaveMs * 4),
      );
    });
    this.registry = registry;
  }

  private registry: IotRegistry | undefined;

  /** Saves `registry` only at close (or saveState), never while it changes. */
  saveOnClose(registry: IotRegistry): void {
    this.registry = registry;
    this.dirty = true;
  }

  /**
   * Saves `registry` every `intervalMs` when it changed since the last save, and at close: a
   * process killed outright (SIGKILL, out of memory) loses at most the last interval's changes.
   */
  saveEvery(registry: IotRegistry, intervalMs: number): void {
    this.saveOnClose(registry);
    this.unsubscribe = registry.events.on('changed', () => {
      this.dirty = true;
    });
    let busy = false;
    this.interval = setInterval(() => {
      // A save slower than the interval is not queued behind itself.
      if (busy || !this.dirty) return;
      busy = true;
      this.saving = this.saving
        .then(() => this.save(registry))
        .catch((error: Error) => console.error(`provbench: could not save ${this.file}: ${error.message}`))
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    this.interval.unref();
  }

  private interval: NodeJS.Timeout | undefined;

  async save(registry: IotRegistry): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const started = performance.now();
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(registry.toSnapshot()), { mode: 0o600 });
    await rename(temporary, this.file);
    this.lastSaveMs = performance.now() - started;
  }

  /** Stops watching and writes any pending change. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    clearInterval(this.interval);
    await this.saving;
    if (this.registry) await this.save(this.registry);
  }
}
