import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

/** True when `command` is on PATH (or is an absolute path that runs). */
export function hasTool(command: string, versionArgs: string[] = ['--version']): boolean {
  const probe = spawnSync(command, versionArgs, { stdio: 'ignore', timeout: 20_000 });
  return probe.error === undefined && probe.status !== null;
}

/**
 * A describe block that needs an external tool. Missing tool: skipped with a message on a
 * developer's machine, a failing test under CI=true (CI must install every tool).
 */
export function describeWithTool(
  tool: string,
  title: string,
  body: () => void,
  options: { probe?: () => boolean; install?: string } = {},
): void {
  const available = options.probe ? options.probe() : hasTool(tool);
  if (available) {
    describe(title, body);
    return;
  }
  const hint = options.install ?? `apt-get install ${tool}`;
  if (process.env.CI) {
    describe(title, () => {
      it(`needs ${tool}`, () => {
        throw new Error(
          `${tool} is not installed but CI must run this suite; install it in .ci/run (${hint})`,
        );
      });
    });
    return;
  }
  console.warn(`[skip] ${title}: ${tool} not found (${hint})`);
  describe.skip(`${title} (skipped: ${tool} not installed)`, body);
}
