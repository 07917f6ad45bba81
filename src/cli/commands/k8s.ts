import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { stringify } from 'yaml';
import { positiveInteger } from '../options.js';
import { newRunId } from './run.js';

/** Where every pod mounts the shared results volume. */
export const RESULTS_MOUNT = '/results';
export const DEFAULT_IMAGE = 'provbench:local';
/** deploy/k8s/Dockerfile runs as the node image's `node` user (uid/gid 1000); the volume must be writable for it. */
const POD_SECURITY = { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 };
/** Port every shard pod serves its live metrics on (docs/live-metrics.md). */
export const DEFAULT_METRICS_PORT = 9464;
/** A pod ends after its run; it serves the final values until a scrape read them, at most this long. */
const METRICS_LINGER = '60s';
/** How often the PodMonitor asks Prometheus to scrape each shard. */
const SCRAPE_INTERVAL = '5s';

export interface ShardedJobOptions {
  shards: number;
  devices: number;
  scenario: string;
  image: string;
  runId: string;
  /** Prefix of every object's name (DNS-1123 label). */
  name: string;
  /** Extra `provbench run` flags, e.g. `--quotas none --key-type ec`. */
  runArgs: string;
  storageClass?: string;
  storage: string;
  /** The merge Job gives up after this long (shards that never finish). */
  mergeDeadlineSeconds: number;
  cpu: string;
  memory: string;
  /** Port the shard pods serve live metrics on (all interfaces of the pod). */
  metricsPort: number;
  /** Labels the PodMonitor carries, for a Prometheus whose podMonitorSelector wants them. */
  monitorLabels: Record<string, string>;
}

export interface ShardedJobManifests {
  /** file name -> Kubernetes object */
  'results-pvc.yaml': Record<string, unknown>;
  'shards-job.yaml': Record<string, unknown>;
  'merge-job.yaml': Record<string, unknown>;
  'pod-monitor.yaml': Record<string, unknown>;
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

function shellQuote(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The command line each shard pod runs; `JOB_COMPLETION_INDEX` (0-based) picks the shard. */
export function shardCommand(options: ShardedJobOptions): string {
  const shard = '$((JOB_COMPLETION_INDEX + 1))';
  return [
    'exec provbench run',
    `--scenario ${shellQuote(options.scenario)}`,
    `--devices ${options.devices}`,
    `--shard ${shard}/${options.shards}`,
    `--run-id ${shellQuote(options.runId)}`,
    `--out ${RESULTS_MOUNT}/shard-${shard}`,
    `--metrics-port ${options.metricsPort} --metrics-host 0.0.0.0 --metrics-linger ${METRICS_LINGER}`,
    options.runArgs.trim(),
  ]
    .filter((part) => part.length > 0)
    .join(' ');
}

/** Waits until every shard has written its result.json (a shard writes it last). */
export function waitForShardsCommand(options: ShardedJobOptions): string {
  return (
    `until [ "$(ls ${RESULTS_MOUNT}/shard-*/result.json 2>/dev/null | wc -l)" -ge ${options.shards} ]; ` +
    `do echo "waiting for ${options.shards} shard results"; sleep 5; done`
  );
}

export function mergeCommandLine(): string {
  return (
    `mkdir -p ${RESULTS_MOUNT}/merged && ` +
    `provbench merge ${RESULTS_MOUNT}/shard-*/result.json --out ${RESULTS_MOUNT}/merged/result.json && ` +
    `provbench report ${RESULTS_MOUNT}/merged/result.json --out ${RESULTS_MOUNT}/merged/index.html`
  );
}

function volumeParts(options: ShardedJobOptions) {
  return {
    volumes: [{ name: 'results', persistentVolumeClaim: { claimName: `${options.name}-results` } }],
    volumeMounts: [{ name: 'results', mountPath: RESULTS_MOUNT }],
  };
}

/**
 * An Indexed Job (one `provbench run --shard i/N` per pod, each with its own embedded emulator
 * unless --run-args points it elsewhere), a ReadWriteMany volume for the shards' results, and a
 * merge Job that waits for every shard's result.json, then runs `provbench merge` and `report`.
 */
export function buildShardedJobManifests(options: ShardedJobOptions): ShardedJobManifests {
  const labels = { 'app.kubernetes.io/name': 'provbench', 'provbench/run-id': options.runId };
  const shardLabels = { ...labels, 'app.kubernetes.io/component': 'shard' };
  const { volumes, volumeMounts } = volumeParts(options);
  const resources = { requests: { cpu: options.cpu, memory: options.memory } };
  return {
    'results-pvc.yaml': {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${options.name}-results`, labels },
      spec: {
        accessModes: ['ReadWriteMany'],
        ...(options.storageClass ? { storageClassName: options.storageClass } : {}),
        resources: { requests: { storage: options.storage } },
      },
    },
    'shards-job.yaml': {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `${options.name}-shards`, labels },
      spec: {
        completionMode: 'Indexed',
        completions: options.shards,
        parallelism: options.shards,
        backoffLimit: options.shards,
        template: {
          metadata: { labels: shardLabels },
          spec: {
            restartPolicy: 'Never',
            securityContext: POD_SECURITY,
            containers: [
              {
                name: 'shard',
                image: options.image,
                command: ['sh', '-c', shardCommand(options)],
                ports: [{ name: 'metrics', containerPort: options.metricsPort, protocol: 'TCP' }],
                resources,
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    },
    'merge-job.yaml': {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `${options.name}-merge`, labels },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: options.mergeDeadlineSeconds,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            securityContext: POD_SECURITY,
            initContainers: [
              {
                name: 'wait-for-shards',
                image: options.image,
                command: ['sh', '-c', waitForShardsCommand(options)],
                volumeMounts,
              },
            ],
            containers: [
              {
                name: 'merge',
                image: options.image,
                command: ['sh', '-c', mergeCommandLine()],
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    },
    'pod-monitor.yaml': {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: `${options.name}-shards`, labels: { ...labels, ...options.monitorLabels } },
      spec: {
        selector: { matchLabels: shardLabels },
        podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: SCRAPE_INTERVAL }],
      },
    },
  };
}

/** Writes the manifests as YAML files into `dir`; returns their paths. */
export function writeShardedJob(options: ShardedJobOptions, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const manifests = buildShardedJobManifests(options);
  return Object.entries(manifests).map(([file, manifest]) => {
    const path = join(dir, file);
    writeFileSync(path, stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false }));
    return path;
  });
}

/** `--monitor-labels key=value[,key=value...]`, e.g. release=prometheus. */
function labelList(value: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const match = /^([A-Za-z0-9][-A-Za-z0-9_./]{0,252})=([-A-Za-z0-9_.]{0,63})$/.exec(pair.trim());
    if (!match?.[1])
      throw new InvalidArgumentError('expected key=value[,key=value...], e.g. release=prometheus');
    labels[match[1]] = match[2] ?? '';
  }
  return labels;
}

function tcpPort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535)
    throw new InvalidArgumentError('expected a TCP port from 1 to 65535');
  return port;
}

function dnsLabel(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/.test(value)) {
    throw new InvalidArgumentError('expected lower-case letters, digits and "-", at most 42 characters');
  }
  return value;
}

interface K8sJobCommandOptions {
  shards: number;
  devices: number;
  scenario: string;
  image: string;
  runId?: string;
  name?: string;
  runArgs: string;
  storageClass?: string;
  storage: string;
  mergeDeadline: number;
  cpu: string;
  memory: string;
  metricsPort: number;
  monitorLabels: Record<string, string>;
  out: string;
}

/** `provbench k8s job`: manifests for a sharded run on Kubernetes. */
export function k8sCommand(): Command {
  const k8s = new Command('k8s').description('Kubernetes manifests for runs that outgrow one machine');
  k8s
    .command('job')
    .description('an Indexed Job running one --shard per pod, a shared results volume and a merge Job')
    .requiredOption('--shards <n>', 'pods (shards)', positiveInteger)
    .requiredOption('--devices <n>', 'devices per scenario, whole run', positiveInteger)
    .requiredOption('--scenario <ids>', 'as for provbench run')
    .requiredOption('--out <dir>', 'directory to write the YAML files into')
    .option(
      '--image <image>',
      'container image with provbench on PATH (deploy/k8s/Dockerfile)',
      DEFAULT_IMAGE,
    )
    .option('--run-id <id>', 'run id shared by the shards (default: a new one)')
    .option('--name <name>', 'name prefix of the Kubernetes objects (default: provbench-<run id>)', dnsLabel)
    .option('--run-args <flags>', 'more provbench run flags for every shard, e.g. "--quotas none"', '')
    .option('--storage-class <class>', 'StorageClass of the ReadWriteMany results volume')
    .option('--storage <size>', 'size of the results volume', '1Gi')
    .option('--merge-deadline <s>', 'seconds the merge Job waits for every shard', positiveInteger, 6 * 3600)
    .option('--cpu <cpu>', 'CPU request per shard pod', '2')
    .option('--memory <bytes>', 'memory request per shard pod', '2Gi')
    .option(
      '--metrics-port <port>',
      'port the shard pods serve live metrics on',
      tcpPort,
      DEFAULT_METRICS_PORT,
    )
    .option(
      '--monitor-labels <key=value,...>',
      "labels on the PodMonitor, e.g. release=prometheus for your Prometheus's podMonitorSelector",
      labelList,
      {},
    )
    .action((options: K8sJobCommandOptions) => {
      const runId = options.runId ?? newRunId();
      const name =
        options.name ?? dnsLabel(`provbench-${runId.toLowerCase()}`.slice(0, 42).replace(/-+$/, ''));
      const files = writeShardedJob(
        {
          shards: options.shards,
          devices: options.devices,
          scenario: options.scenario,
          image: options.image,
          runId,
          name,
          runArgs: options.runArgs,
          storageClass: options.storageClass,
          storage: options.storage,
          mergeDeadlineSeconds: options.mergeDeadline,
          cpu: options.cpu,
          memory: options.memory,
          metricsPort: options.metricsPort,
          monitorLabels: options.monitorLabels,
        },
        resolve(options.out),
      );
      process.stdout.write(
        `${files.join('\n')}\napply: kubectl apply -f ${options.out} (pod-monitor.yaml needs the Prometheus Operator's CRDs)\n` +
          `merged result: ${RESULTS_MOUNT}/merged/result.json and index.html on volume ${name}-results\n`,
      );
    });
  return k8s;
}
