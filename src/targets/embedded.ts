import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReadyFile } from '../contract/ready-file.js';
import { runIam } from './iam-principals.js';
import { type IoTClientConfig, LOCAL_CREDENTIALS } from './iot-client.js';
import { fetchKeySupply } from './key-supply.js';
import type { StartedTarget, TargetOptions } from './target.js';

const CLI_ENTRY = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/provbench.js');

const READY_TIMEOUT_MS = 60_000;

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Reads a ready file `provbench emulator --ready-file` wrote; the error says what is wrong. */
export function readReadyFile(path: string): ReadyFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the ready file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): pass the file provbench emulator --ready-file wrote`,
    );
  }
  const parsed = ReadyFile.safeParse(parseJsonOrNull(text));
  if (!parsed.success) {
    throw new Error(
      `${path} is not a provbench emulator ready file (${parsed.error.issues[0]?.path.join('.') || 'JSON'}: ${parsed.error.issues[0]?.message}): pass the file provbench emulator --ready-file wrote`,
    );
  }
  return parsed.data;
}

function waitForReadyFile(path: string, child: ChildProcess, logPath: string): Promise<ReadyFile> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      child.off('exit', onExit);
      action();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(() =>
        reject(
          new Error(
            `the embedded emulator exited (${signal ?? `code ${code}`}) before it was ready; see ${logPath}`,
          ),
        ),
      );
    child.on('exit', onExit);
    const timer = setInterval(() => {
      if (existsSync(path)) {
        try {
          const ready = ReadyFile.parse(JSON.parse(readFileSync(path, 'utf8')));
          finish(() => resolvePromise(ready));
        } catch {
          // Half-written: try again on the next tick.
        }
      } else if (Date.now() - started > READY_TIMEOUT_MS) {
        finish(() =>
          reject(
            new Error(
              `the embedded emulator was not ready within ${READY_TIMEOUT_MS / 1000} s; see ${logPath}`,
            ),
          ),
        );
      }
    }, 50);
  });
}

/** Pid file of the emulator started on a state dir, so the next start can wait for it. */
const PID_FILE = 'emulator.pid';
/** How long a start waits for the previous emulator on the same state dir to save and exit. */
const PREVIOUS_EXIT_MS = 15_000;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The emulator of an earlier attempt on this state dir may still be saving it (it saves and
 * exits once its run is gone): two emulators must never share one state dir.
 */
async function waitForPreviousEmulator(workDir: string): Promise<void> {
  const pidFile = join(workDir, PID_FILE);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const started = Date.now();
  while (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
    if (Date.now() - started > PREVIOUS_EXIT_MS) {
      throw new Error(
        `the emulator of an earlier attempt (pid ${pid}) still runs on ${workDir}; stop it and try again`,
      );
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
  rmSync(pidFile, { force: true });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `provbench emulator` as a child process (so harness and emulator do not share a
 * thread) on loopback with ports picked by the OS, and waits for its ready file.
 */
export async function startEmbeddedTarget(options: TargetOptions): Promise<StartedTarget> {
  const readyPath = join(options.workDir, 'emulator-ready.json');
  const logPath = join(options.workDir, 'emulator.log');
  const args = [
    CLI_ENTRY,
    'emulator',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--mqtt-port',
    '0',
    '--krypton-port',
    '0',
    '--quotas',
    options.quotas,
    '--ready-file',
    readyPath,
    '--exit-with-parent',
    // A run's cleanup deletes the thing types it made; on the emulator it need not wait 5 minutes.
    '--thing-type-deletion-wait',
    '0',
  ];
  if (options.fleetFile) args.push('--fleet', options.fleetFile);
  if (options.keyType) args.push('--device-keys', options.keyType === 'ec' ? 'ec-p256' : 'rsa-2048');
  if (options.quotaFile) args.push('--quota-file', options.quotaFile);
  if (options.latencyModelFile) args.push('--latency-model', options.latencyModelFile);
  if (options.faultsFile) args.push('--faults', options.faultsFile);
  if (options.modelSeed !== undefined) args.push('--model-seed', String(options.modelSeed));
  if (options.stateDir) {
    // Saved when the emulator closes (its run ended or is gone), not while it serves the run.
    args.push('--state-dir', options.stateDir, '--save-state', 'on-exit');
    await waitForPreviousEmulator(options.workDir);
  }
  // A ready file an earlier emulator left would be read as this one's.
  rmSync(readyPath, { force: true });
  const iam = options.iamPolicies ? runIam(options.iamPolicies) : undefined;
  if (iam) {
    // Secrets: readable by this user only.
    const iamPath = join(options.workDir, 'emulator-iam.json');
    writeFileSync(iamPath, `${JSON.stringify(iam.file, null, 2)}\n`, { mode: 0o600 });
    args.push('--iam', iamPath);
  }
  const log = openSync(logPath, 'a', 0o600);
  // detached: Ctrl-C in the terminal goes to the harness, which then stops the emulator itself
  // after writing partial results. The IPC channel closes when this process ends, however it
  // ends (SIGKILL included): the emulator then exits (--exit-with-parent).
  const child = spawn(process.execPath, args, { stdio: ['ignore', log, log, 'ipc'], detached: true });
  child.unref();
  child.channel?.unref();
  if (options.stateDir && child.pid) writeFileSync(join(options.workDir, PID_FILE), `${child.pid}\n`);
  let ready: ReadyFile;
  try {
    ready = await waitForReadyFile(readyPath, child, logPath);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const stopOnExit = () => child.kill('SIGKILL');
  process.once('exit', stopOnExit);
  const iotConfig: IoTClientConfig = {
    region: ready.region,
    endpoint: ready.controlPlaneUrl,
    credentials: { ...(iam?.harness ?? LOCAL_CREDENTIALS) },
    requestTimeoutMs: options.requestTimeoutMs,
  };
  const actorIotConfigs = iam
    ? Object.fromEntries(
        Object.entries(iam.actors).map(([actorsKey, keys]) => [
          actorsKey,
          Object.fromEntries(
            Object.entries(keys).map(([actor, key]) => [actor, { ...iotConfig, credentials: { ...key } }]),
          ),
        ]),
      )
    : undefined;
  return {
    name: 'embedded',
    endpoint: {
      target: 'embedded',
      region: ready.region,
      accountId: ready.accountId,
      controlPlaneUrl: ready.controlPlaneUrl,
      mqttHost: ready.mqttHost ?? null,
      mqttPort: ready.mqttPort ?? null,
      rootCaPem: readFileSync(ready.rootCaFile, 'utf8'),
      kryptonUrl: ready.kryptonUrl ?? null,
      credentialsProviderUrl: ready.credentialsProviderUrl ?? null,
    },
    iotConfig,
    ...(actorIotConfigs ? { actorIotConfigs } : {}),
    close: async () => {
      process.off('exit', stopOnExit);
      await stopChild(child);
    },
    keySupply: () => fetchKeySupply(ready.controlPlaneUrl),
  };
}
