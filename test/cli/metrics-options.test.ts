import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricsPort } from '../../src/cli/metrics-options.js';
import { provbench } from '../support/cli.js';

describe('--metrics-port', () => {
  it('takes 0 to 65535 and nothing else', () => {
    expect(metricsPort('0')).toBe(0);
    expect(metricsPort('9464')).toBe(9464);
    expect(metricsPort('65535')).toBe(65_535);
    for (const bad of ['65536', '-1', '9464.5', 'abc', '', ' 80'])
      expect(() => metricsPort(bad), bad).toThrow();
  });

  it('is a usage error (exit 2) when out of range', async () => {
    const run = await provbench(['run', '--scenario', 'pre-issued', '--metrics-port', '70000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--metrics-port.*0 \(any free port\) to 65535/);
  });

  describe('on a port that is taken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provbench-metrics-port-'));
    let taken: Server;
    afterAll(async () => {
      await new Promise((resolve) => taken.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    it('says so and exits 2 before any device starts', async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const address = taken.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const run = await provbench([
        'run',
        '--scenario',
        'pre-issued',
        '--devices',
        '1',
        '--out',
        dir,
        '--metrics-port',
        String(port),
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`cannot serve metrics on 127.0.0.1:${port} (EADDRINUSE)`);
      expect(run.stdout).not.toContain('connected');
    });
  });
});
