import { readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { ReadyFile } from '../contract/ready-file.js';
import { mixSeed, uniformSource } from '../network/random.js';
import { EmulatorPki } from '../pki/index.js';
import { applyQuotaOverrides, defaultQuotaTable, type QuotaTable } from '../quotas/aws-default-quotas.js';
import {
  ControlPlaneServer,
  describeFaultIssue,
  FaultInjector,
  faultModelSchema,
  IamGate,
  iamFileSchema,
  LatencyModel,
  latencyModelSchema,
  ModelFileError,
  parseModelFile,
  QuotaGate,
} from './control-plane/index.js';
import { credentialsProviderListener } from './credentials-provider/listener.js';
import { dataPlaneListener } from './data-plane/listener.js';
import { kryptonListener } from './krypton/listener.js';
import type { EmulatorListenerContext, EmulatorListenerFactory, EmulatorOptions } from './options.js';
import { IotRegistry } from './registry/index.js';
import { RegistryStore } from './state/registry-store.js';

export { type FaultModelConfig, type IamFile, ModelFileError } from './control-plane/index.js';
export type {
  EmulatorListener,
  EmulatorListenerContext,
  EmulatorListenerFactory,
  EmulatorOptions,
  SaveState,
} from './options.js';

/**
 * Plug points: listeners started after the control plane, in order. The data plane (MQTT/mTLS
 * on options.mqttPort), the Krypton service (options.kryptonPort, options.fleetFile) and the
 * credentials provider (options.credentialsPort) each add one entry here.
 */
export const EMULATOR_LISTENERS: EmulatorListenerFactory[] = [
  dataPlaneListener,
  kryptonListener,
  credentialsProviderListener,
];

export interface RunningEmulator extends ReadyFile {
  registry: IotRegistry;
  pki: EmulatorPki;
  quotaTable: QuotaTable | undefined;
  /** Writes the registry to the state dir now (a no-op without one). */
  saveState(): Promise<void>;
  close(): Promise<void>;
}

/** A model given as a file name or an object, parsed with its schema; ModelFileError when it does not fit. */
async function jsonOption<S extends z.ZodType>(
  value: unknown,
  schema: S,
  what: string,
  describeIssue?: Parameters<typeof parseModelFile>[3],
): Promise<z.output<S> | undefined> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return parseModelFile(schema, JSON.stringify(value), what, describeIssue);
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch (error) {
    throw new ModelFileError(`cannot read the ${what} file ${value}: ${(error as Error).message}`);
  }
  return parseModelFile(schema, text, value, describeIssue);
}

async function quotaTableFor(options: EmulatorOptions): Promise<QuotaTable | undefined> {
  if ((options.quotas ?? 'aws') === 'none') return undefined;
  let table = defaultQuotaTable();
  if (options.quotaFile) {
    let overrides: unknown;
    try {
      overrides = JSON.parse(await readFile(options.quotaFile, 'utf8'));
    } catch (error) {
      throw new Error(
        `quota file ${options.quotaFile} could not be read as JSON: ${(error as Error).message}`,
      );
    }
    table = applyQuotaOverrides(table, overrides);
  }
  if (options.quotaOverrides !== undefined) table = applyQuotaOverrides(table, options.quotaOverrides);
  return table;
}

/** The latency or fault model's uniform source: seeded (one stream each) when a seed is given. */
function modelRandom(options: EmulatorOptions, model: 'latency' | 'faults'): () => number {
  if (options.modelSeed === undefined) return Math.random;
  return uniformSource(mixSeed(options.modelSeed, model === 'latency' ? 1 : 2));
}

/** Starts the embedded AWS IoT Core: control plane first, then every listener; writes the ready file. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const quotaTable = await quotaTableFor(options);
  const latencyConfig = await jsonOption(options.latencyModel, latencyModelSchema, 'latency model');
  const faultConfig = await jsonOption(options.faults, faultModelSchema, 'fault model', describeFaultIssue);
  const quotaGate = quotaTable ? new QuotaGate(quotaTable) : undefined;
  const iamFile = await jsonOption(options.iam, iamFileSchema, 'IAM');
  const iam = iamFile ? new IamGate(iamFile, { region, accountId, now: options.now }) : undefined;

  const pki = await EmulatorPki.open({
    stateDir: options.stateDir,
    deviceKeyAlgorithm: options.deviceKeyAlgorithm,
    keyPoolSize: options.keyPoolSize,
    keyPoolWorkers: options.keyPoolWorkers,
    keyStockDir: options.keyStockDir,
    keyStockTarget: options.keyStockTarget,
  });
  const registry = new IotRegistry({
    region,
    accountId,
    limits: {
      ...(quotaTable && {
        caCertificatesPerSubject: quotaTable.limits.caCertificatesPerSubject,
        policiesPerPrincipal: quotaTable.limits.policiesPerPrincipal,
        roleAliases: quotaTable.limits.roleAliases,
      }),
      thingTypeDeletionWaitMs: options.thingTypeDeletionWaitMs,
    },
  });
  const store = options.stateDir ? new RegistryStore(options.stateDir) : undefined;
  const closers: Array<() => Promise<void>> = [() => pki.close()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    if (store) {
      const snapshot = await store.load();
      if (snapshot) registry.loadSnapshot(snapshot);
      const whenToSave = options.saveState ?? 'on-change';
      if (whenToSave === 'on-exit') store.saveOnClose(registry);
      else if (whenToSave === 'on-change') store.watch(registry);
      else store.saveEvery(registry, whenToSave.everyMs);
      closers.push(() => store.close());
    }
    const serveRootCa = (request: IncomingMessage, response: ServerResponse): boolean => {
      if (!request.url?.startsWith('/_emulator/')) return false;
      if (request.method === 'GET' && request.url === '/_emulator/root-ca.pem') {
        response.writeHead(200, { 'content-type': 'application/x-pem-file' });
        response.end(pki.bundlePem);
      } else if (request.method === 'GET' && request.url === '/_emulator/key-supply') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(pki.keyPool.supply.report()));
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('unknown emulator path; try GET /_emulator/root-ca.pem or /_emulator/key-supply\n');
      }
      return true;
    };
    const controlPlane = new ControlPlaneServer(
      {
        registry,
        pki,
        quotas: quotaGate,
        latency: latencyConfig ? new LatencyModel(latencyConfig, modelRandom(options, 'latency')) : undefined,
        faults: faultConfig ? new FaultInjector(faultConfig, modelRandom(options, 'faults')) : undefined,
        iam,
      },
      serveRootCa,
    );
    const controlPlaneUrl = await controlPlane.listen(options.port ?? 0, host);
    closers.push(() => controlPlane.close());

    const endpoints: ReadyFile = {
      controlPlaneUrl,
      region,
      accountId,
      mqttHost: null,
      mqttPort: null,
      kryptonUrl: null,
      credentialsProviderUrl: null,
      rootCaFile: pki.bundleFile,
    };
    const context: EmulatorListenerContext = {
      host,
      region,
      accountId,
      pki,
      registry,
      quotaTable,
      quotaGate,
      controlPlaneUrl,
      iam,
      options,
    };
    for (const start of options.listeners ?? EMULATOR_LISTENERS) {
      const listener = await start(context);
      closers.push(() => listener.close());
      if (listener.mqtt) {
        endpoints.mqttHost = listener.mqtt.host;
        endpoints.mqttPort = listener.mqtt.port;
      }
      if (listener.kryptonUrl) endpoints.kryptonUrl = listener.kryptonUrl;
      if (listener.credentialsProviderUrl) endpoints.credentialsProviderUrl = listener.credentialsProviderUrl;
    }
    if (options.readyFile) {
      const temporary = `${options.readyFile}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(endpoints, null, 2)}\n`);
      await rename(temporary, options.readyFile);
    }
    const saveState = async () => {
      await store?.close();
    };
    return { ...endpoints, registry, pki, quotaTable, saveState, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
