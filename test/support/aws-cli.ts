import { execFile } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The Debian AWS CLI v2 (an `aws` earlier on PATH may be another version). */
export const AWS_CLI = '/usr/bin/aws';

const execFileAsync = promisify(execFile);

export interface AwsCliResult {
  /** 0 on success, the CLI's exit code otherwise (254 for a service error), null if killed. */
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface AwsCliOptions {
  /** Extra environment, e.g. AWS_DATA_PATH (see `vendoredModelPath`). */
  env?: Record<string, string>;
}

/**
 * Runs `aws iot <args>` against an emulator's control plane with throwaway credentials and no
 * config files. Asynchronous: the emulator answers from the calling process.
 */
export async function awsIot(
  emulator: { controlPlaneUrl: string; region: string },
  args: string[],
  options: AwsCliOptions = {},
): Promise<AwsCliResult> {
  const argv = ['--endpoint-url', emulator.controlPlaneUrl, '--region', emulator.region];
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIDPROVBENCHTEST',
    AWS_SECRET_ACCESS_KEY: 'provbench-test-secret',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    ...options.env,
  };
  try {
    const { stdout, stderr } = await execFileAsync(
      AWS_CLI,
      [...argv, '--no-cli-pager', '--output', 'json', 'iot', ...args],
      { encoding: 'utf8', timeout: 60_000, env },
    );
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      status: typeof failed.code === 'number' ? failed.code : null,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

/** `awsIot` for a call that must succeed: its JSON output ({} when it prints nothing). */
export async function awsIotJson<T>(
  emulator: { controlPlaneUrl: string; region: string },
  args: string[],
  options: AwsCliOptions = {},
): Promise<T> {
  const result = await awsIot(emulator, args, options);
  if (result.status !== 0)
    throw new Error(`aws ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout || '{}') as T;
}

/**
 * A botocore data path under `dir` holding the vendored AWS IoT model, for AWS_DATA_PATH: the
 * Debian CLI's own model predates operations the vendored one has (UpdateThingType).
 */
export async function vendoredModelPath(dir: string): Promise<string> {
  const root = join(dir, 'botocore-data');
  const target = join(root, 'iot', '2015-05-28');
  await mkdir(target, { recursive: true });
  const model = fileURLToPath(
    new URL('../../vendor/botocore/iot-2015-05-28/service-2.json', import.meta.url),
  );
  await copyFile(model, join(target, 'service-2.json'));
  return root;
}
