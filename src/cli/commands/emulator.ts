import { Command, InvalidArgumentError, Option } from 'commander';
import {
  type EmulatorOptions,
  ModelFileError,
  type RunningEmulator,
  type SaveState,
  startEmulator,
} from '../../emulator/index.js';
import { defaultKeyStockDir } from '../../pki/key-stock.js';
import { watchParent } from '../exit-with-parent.js';

/** After its parent died, the emulator gets this long to close before it exits anyway. */
const ORPHAN_CLOSE_MS = 300;
/** With a state dir, saving the registry comes first and may take longer (a resumed run needs it). */
const ORPHAN_SAVE_MS = 10_000;

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new InvalidArgumentError('expected a port number 0..65535 (0 picks a free port)');
  }
  return parsed;
}

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return parsed;
}

/** `--save-state`: on-change, on-exit, or every:<seconds> (1 to 86400). */
export function saveStateOption(value: string): SaveState {
  if (value === 'on-change' || value === 'on-exit') return value;
  const seconds = Number(/^every:(\d{1,5})$/.exec(value)?.[1] ?? 0);
  if (seconds < 1 || seconds > 86_400) {
    throw new InvalidArgumentError('expected on-change, on-exit or every:<seconds> (1 to 86400)');
  }
  return { everyMs: seconds * 1000 };
}

interface EmulatorCommandOptions {
  host: string;
  port: number;
  mqttPort: number;
  kryptonPort: number;
  credentialsPort: number;
  quotas: 'aws' | 'none';
  quotaFile?: string;
  stateDir?: string;
  saveState: SaveState;
  readyFile?: string;
  fleet?: string;
  region: string;
  accountId: string;
  thingTypeDeletionWait: number;
  latencyModel?: string;
  faults?: string;
  modelSeed?: number;
  iam?: string;
  deviceKeys: 'rsa-2048' | 'ec-p256';
  keyPool: number;
  keyWorkers: number;
  /** A directory, or false with --no-key-stock. */
  keyStock: string | false;
  keyStockFill: number;
  exitWithParent?: boolean;
}

/** `provbench emulator`: the embedded AWS IoT Core until SIGINT/SIGTERM. */
export function emulatorCommand(): Command {
  return new Command('emulator')
    .description('Run the embedded AWS IoT Core emulator (control plane, data plane, Krypton service)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <n>', 'control-plane port (0: pick a free port)', port, 0)
    .option('--mqtt-port <n>', 'MQTT/mTLS data-plane port (0: pick)', port, 0)
    .option('--krypton-port <n>', 'Krypton-compatible service port (0: pick)', port, 0)
    .option(
      '--credentials-port <n>',
      'credentials provider (role aliases, HTTPS/mTLS) port (0: pick)',
      port,
      0,
    )
    .addOption(
      new Option('--quotas <mode>', "enforce AWS's default TPS quotas or none")
        .choices(['aws', 'none'])
        .default('aws'),
    )
    .option(
      '--quota-file <file>',
      'JSON overrides of the quota table: {"controlPlaneTps": {...}, "limits": {...}}',
    )
    .option('--state-dir <dir>', 'keep the CA and the registry here across restarts (default: in memory)')
    .option(
      '--save-state <when>',
      'with --state-dir: save the registry shortly after each change (on-change), only on exit (on-exit), or every:<seconds> when it changed and on exit',
      saveStateOption,
      'on-change' as SaveState,
    )
    .option('--ready-file <file>', 'write the endpoints as JSON here once every listener accepts connections')
    .option('--fleet <fleet.json>', 'SIMs the Krypton service knows')
    .option('--region <region>', 'AWS Region the emulator claims to be', 'us-east-1')
    .option('--account-id <id>', '12-digit account ID in ARNs', '123456789012')
    .option('--latency-model <file>', 'JSON per-operation latency distributions (off by default)')
    .option(
      '--faults <file>',
      'JSON per-operation faults: rates and AWS errors, on top of "*" (off by default; docs/emulator.md)',
    )
    .option(
      '--model-seed <n>',
      "seed the latency and fault models' draws (same seed, same sequence of draws; default: unseeded)",
      count,
    )
    .option(
      '--iam <file>',
      'JSON IAM users (access key, secret, identity policies): verify SigV4 and enforce their policies (default: any credentials; docs/emulator.md)',
    )
    .addOption(
      new Option('--device-keys <type>', 'key type CreateKeysAndCertificate returns (ec-p256 for speed runs)')
        .choices(['rsa-2048', 'ec-p256'])
        .default('rsa-2048'),
    )
    .option('--key-pool <n>', 'device key pairs kept ready by a worker thread', count, 32)
    .option('--key-workers <n>', 'worker threads filling the key pool', count, 1)
    .option(
      '--key-stock <dir>',
      'take device keys from this stock (provbench keys fill) before generating any (default $PROVBENCH_KEY_STOCK, else ~/.cache/provbench/keys)',
      defaultKeyStockDir(),
    )
    .option('--no-key-stock', 'generate every device key, use no stock')
    .option(
      '--key-stock-fill <n>',
      'after 10 s without CreateKeysAndCertificate, top the key stock up to n keys on a lowest-priority thread (0: never)',
      count,
      0,
    )
    .option(
      '--thing-type-deletion-wait <seconds>',
      "how long after DeprecateThingType DeleteThingType is refused (AWS's 300; the embedded target uses 0)",
      count,
      300,
    )
    .option(
      '--exit-with-parent',
      'end when the process that started this one ends, however it ended (what the embedded target uses)',
    )
    .action(async (options: EmulatorCommandOptions) => {
      if (!/^\d{12}$/.test(options.accountId))
        throw new InvalidArgumentError('--account-id must be 12 digits');
      const emulatorOptions: EmulatorOptions = {
        host: options.host,
        port: options.port,
        mqttPort: options.mqttPort,
        kryptonPort: options.kryptonPort,
        credentialsPort: options.credentialsPort,
        quotas: options.quotas,
        quotaFile: options.quotaFile,
        stateDir: options.stateDir,
        saveState: options.saveState,
        readyFile: options.readyFile,
        fleetFile: options.fleet,
        region: options.region,
        accountId: options.accountId,
        latencyModel: options.latencyModel,
        faults: options.faults,
        modelSeed: options.modelSeed,
        iam: options.iam,
        deviceKeyAlgorithm: options.deviceKeys,
        keyPoolSize: options.keyPool,
        keyPoolWorkers: Math.max(1, options.keyWorkers),
        keyStockDir: options.keyStock === false ? undefined : options.keyStock,
        keyStockTarget: options.keyStockFill,
        thingTypeDeletionWaitMs: options.thingTypeDeletionWait * 1000,
      };
      let emulator: RunningEmulator;
      try {
        emulator = await startEmulator(emulatorOptions);
      } catch (error) {
        if (!(error instanceof ModelFileError)) throw error;
        // A fault, latency or IAM file that does not fit its format is bad input.
        console.error(`provbench emulator: ${error.message}`);
        process.exitCode = 2;
        return;
      }
      console.log(`provbench emulator ready: control plane ${emulator.controlPlaneUrl}`);
      if (emulator.mqttPort !== null)
        console.log(`  MQTT/mTLS      ${emulator.mqttHost}:${emulator.mqttPort}`);
      if (emulator.kryptonUrl) console.log(`  Krypton        ${emulator.kryptonUrl}`);
      if (emulator.credentialsProviderUrl)
        console.log(`  credentials    ${emulator.credentialsProviderUrl}/role-aliases/<alias>/credentials`);
      console.log(
        `  root CA        ${emulator.rootCaFile} (also GET ${emulator.controlPlaneUrl}/_emulator/root-ca.pem)`,
      );
      console.log(`  quotas         ${options.quotas}${options.quotaFile ? ` + ${options.quotaFile}` : ''}`);
      if (options.keyStock !== false) console.log(`  key stock      ${options.keyStock}`);
      console.log(
        `  IAM            ${options.iam ? `SigV4 and identity policies from ${options.iam}` : 'off (any credentials)'}`,
      );
      const orphaned = await new Promise<boolean>((resolve) => {
        process.once('SIGINT', () => resolve(false));
        process.once('SIGTERM', () => resolve(false));
        if (options.exitWithParent) watchParent(() => resolve(true));
      });
      if (orphaned) {
        // Nobody waits for this emulator any more: close what closes quickly, then go.
        setTimeout(() => process.exit(0), options.stateDir ? ORPHAN_SAVE_MS : ORPHAN_CLOSE_MS).unref();
        await emulator.saveState().catch(() => undefined);
        await emulator.close().catch(() => undefined);
        process.exit(0);
      }
      await emulator.close();
    });
}
