import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_METRICS_PORT, RESULTS_MOUNT } from '../../src/cli/commands/k8s.js';
import { buildProgram } from '../../src/cli/main.js';
import { parseRunResult } from '../../src/metrics/result-schema.js';

const CLI = resolve(import.meta.dirname, '../../bin/provbench.js');

interface Container {
  name: string;
  image: string;
  command: string[];
  volumeMounts: Array<{ name: string; mountPath: string }>;
  ports?: Array<{ name: string; containerPort: number; protocol: string }>;
}

interface PodSpec {
  restartPolicy: string;
  containers: Container[];
  initContainers?: Container[];
  volumes: Array<{ name: string; persistentVolumeClaim: { claimName: string } }>;
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    activeDeadlineSeconds?: number;
    accessModes?: string[];
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    selector?: { matchLabels: Record<string, string> };
    podMetricsEndpoints?: Array<{ port: string; path: string; interval: string }>;
  };
}

async function readManifest(path: string): Promise<K8sObject> {
  const documents = parseAllDocuments(await readFile(path, 'utf8'));
  expect(Array.isArray(documents) ? documents : [documents]).toHaveLength(1);
  const [document] = Array.isArray(documents) ? documents : [documents];
  expect(document?.errors).toEqual([]);
  return document?.toJS() as K8sObject;
}

/** Runs a pod's `sh -c` command here: the shared volume is a temp directory, provbench is this checkout. */
function runPodCommand(
  command: string[],
  resultsDir: string,
  env: Record<string, string> = {},
): Promise<string> {
  expect(command.slice(0, 2)).toEqual(['sh', '-c']);
  // Each pod has its own network namespace; here both shards share this machine's loopback.
  const script = (command[2] ?? '')
    .replace(/--metrics-port \d+ --metrics-host 0\.0\.0\.0 --metrics-linger \S+/, (flags) => {
      expect(flags).toBe(
        `--metrics-port ${DEFAULT_METRICS_PORT} --metrics-host 0.0.0.0 --metrics-linger 60s`,
      );
      return '--metrics-port 0 --metrics-host 127.0.0.1 --metrics-linger 0s';
    })
    .replaceAll(RESULTS_MOUNT, resultsDir)
    .replaceAll('provbench ', `${process.execPath} ${CLI} `);
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sh', ['-c', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(output);
      else reject(new Error(`pod command exited with ${code}:\n${output}`));
    });
  });
}

describe('provbench k8s job', () => {
  let dir: string;
  let manifestDir: string;
  let resultsDir: string;
  const devices = 6;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provbench-k8s-'));
    manifestDir = join(dir, 'manifests');
    resultsDir = join(dir, 'volume');
    await (await buildProgram()).parseAsync([
      'node',
      'provbench',
      'k8s',
      'job',
      '--shards',
      '2',
      '--devices',
      String(devices),
      '--scenario',
      'pre-issued',
      '--image',
      'registry.example/provbench:1',
      '--run-id',
      'pb-k8s-test',
      '--monitor-labels',
      'release=prometheus,team=iot',
      '--run-args',
      '--quotas none --key-type ec --workers 1',
      '--out',
      manifestDir,
    ]);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes an Indexed Job, one shard per pod, on a shared volume', async () => {
    const pvc = await readManifest(join(manifestDir, 'results-pvc.yaml'));
    expect(pvc).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim' });
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);

    const job = await readManifest(join(manifestDir, 'shards-job.yaml'));
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job' });
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2 });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const [container] = pod.containers;
    expect(container?.image).toBe('registry.example/provbench:1');
    expect(container?.command[2]).toContain('--shard $((JOB_COMPLETION_INDEX + 1))/2');
    expect(container?.command[2]).toContain('--run-id pb-k8s-test');
    expect(container?.command[2]).toContain(`--out ${RESULTS_MOUNT}/shard-`);
    expect(container?.volumeMounts).toEqual([{ name: 'results', mountPath: RESULTS_MOUNT }]);
    expect(pod.volumes[0]?.persistentVolumeClaim.claimName).toBe(pvc.metadata.name);

    const merge = await readManifest(join(manifestDir, 'merge-job.yaml'));
    expect(merge.kind).toBe('Job');
    expect(merge.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(merge.spec.template.spec.initContainers?.[0]?.command[2]).toContain('-ge 2');
    expect(merge.spec.template.spec.containers[0]?.command[2]).toContain('provbench merge');
    expect(merge.spec.template.spec.volumes[0]?.persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
  });

  it('exposes the shards’ metrics port and a PodMonitor that selects the shard pods only', async () => {
    const job = await readManifest(join(manifestDir, 'shards-job.yaml'));
    const merge = await readManifest(join(manifestDir, 'merge-job.yaml'));
    const monitor = await readManifest(join(manifestDir, 'pod-monitor.yaml'));
    const [container] = job.spec.template.spec.containers;
    expect(container?.ports).toEqual([
      { name: 'metrics', containerPort: DEFAULT_METRICS_PORT, protocol: 'TCP' },
    ]);
    expect(container?.command[2]).toContain(`--metrics-port ${DEFAULT_METRICS_PORT} --metrics-host 0.0.0.0`);
    expect(monitor).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor' });
    expect(monitor.metadata.labels).toMatchObject({ release: 'prometheus', team: 'iot' });
    const selected = (labels: Record<string, string>) =>
      Object.entries(monitor.spec.selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    expect(Object.keys(monitor.spec.selector?.matchLabels ?? {})).toContain('provbench/run-id');
    expect(selected(job.spec.template.metadata.labels)).toBe(true);
    expect(selected(merge.spec.template.metadata.labels)).toBe(false);
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '5s' }]);
  });

  it('refuses bad --metrics-port and --monitor-labels', async () => {
    for (const bad of [
      ['--metrics-port', '0'],
      ['--metrics-port', '65536'],
      ['--monitor-labels', 'release'],
    ]) {
      const program = await buildProgram();
      await expect(
        program.parseAsync([
          'node',
          'provbench',
          'k8s',
          'job',
          '--shards',
          '1',
          '--devices',
          '1',
          '--scenario',
          'pre-issued',
          '--out',
          join(dir, 'refused'),
          ...bad,
        ]),
        bad.join(' '),
      ).rejects.toThrow();
    }
  });

  it('runs the pods’ command lines as two local shards and merges them to the requested devices', async () => {
    const job = await readManifest(join(manifestDir, 'shards-job.yaml'));
    const merge = await readManifest(join(manifestDir, 'merge-job.yaml'));
    const shardCommand = job.spec.template.spec.containers[0]!.command;
    // Kubernetes sets JOB_COMPLETION_INDEX (0-based) in each pod of an Indexed Job.
    const outputs = await Promise.all(
      [0, 1].map((index) => runPodCommand(shardCommand, resultsDir, { JOB_COMPLETION_INDEX: String(index) })),
    );
    for (const output of outputs) expect(output).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const shards = await Promise.all(
      [1, 2].map(async (shard) =>
        parseRunResult(JSON.parse(await readFile(join(resultsDir, `shard-${shard}`, 'result.json'), 'utf8'))),
      ),
    );
    expect(shards.map((shard) => shard.shard)).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
    expect(shards.map((shard) => shard.runId)).toEqual(['pb-k8s-test', 'pb-k8s-test']);

    await runPodCommand(merge.spec.template.spec.initContainers![0]!.command, resultsDir);
    await runPodCommand(merge.spec.template.spec.containers[0]!.command, resultsDir);
    const merged = parseRunResult(
      JSON.parse(await readFile(join(resultsDir, 'merged', 'result.json'), 'utf8')),
    );
    expect(merged.partial).toBe(false);
    const summary = merged.scenarios[0]!.summary;
    expect(summary.devices).toEqual({ requested: devices, succeeded: devices, failed: 0 });
    expect(merged.scenarios[0]!.timeToConnected.count).toBe(devices);
    expect(await readFile(join(resultsDir, 'merged', 'index.html'), 'utf8')).toContain('pre-issued');
  }, 120_000);
});
