import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateThingCommand, ListThingsCommand } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { saveStateOption } from '../../../src/cli/commands/emulator.js';
import { startTestEmulator } from '../../support/emulator.js';
import { provbench, startProvbench, waitFor } from '../../support/provbench-cli.js';
import { emulatorClient } from '../../support/resume-run.js';

/** True once the state dir's saved registry names `thingName`. */
function savedWith(stateDir: string, thingName: string): () => boolean {
  const file = join(stateDir, 'registry.json');
  return () => existsSync(file) && readFileSync(file, 'utf8').includes(`"${thingName}"`);
}

describe('--save-state every:<seconds>', () => {
  it('takes on-change, on-exit and every:<1..86400 seconds>, nothing else', () => {
    expect(saveStateOption('on-change')).toBe('on-change');
    expect(saveStateOption('on-exit')).toBe('on-exit');
    expect(saveStateOption('every:1')).toEqual({ everyMs: 1000 });
    expect(saveStateOption('every:86400')).toEqual({ everyMs: 86_400_000 });
    for (const bad of ['every:0', 'every:86401', 'every:1.5', 'every:', 'every:-5', 'every 5', '5', 'always'])
      expect(() => saveStateOption(bad), bad).toThrow('every:<seconds>');
  });

  it('is a usage error (exit 2) when malformed', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'pb-save-every-bad-'));
    const run = await provbench(['emulator', '--state-dir', stateDir, '--save-state', 'every:0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected on-change, on-exit or every:<seconds> (1 to 86400)');
  });

  it('writes the registry while the emulator serves, when it changed, so a restart finds it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'pb-save-every-'));
    const first = await startTestEmulator({ listeners: [], stateDir, saveState: { everyMs: 200 } });
    try {
      await first.iot.send(new CreateThingCommand({ thingName: 'saved-while-serving' }));
      await waitFor(savedWith(stateDir, 'saved-while-serving'), 'the periodic save', 20_000);
    } finally {
      await first.close();
    }
    const second = await startTestEmulator({ listeners: [], stateDir });
    try {
      const listed = await second.iot.send(new ListThingsCommand({}));
      expect(listed.things?.map((thing) => thing.thingName)).toEqual(['saved-while-serving']);
    } finally {
      await second.close();
    }
  });

  it('keeps what was saved before the emulator was killed with SIGKILL', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'pb-save-every-kill-'));
    const readyFile = join(stateDir, 'ready.json');
    const emulator = startProvbench(
      [
        'emulator',
        '--state-dir',
        stateDir,
        '--save-state',
        'every:1',
        '--quotas',
        'none',
        '--key-pool',
        '0',
        '--ready-file',
        readyFile,
      ],
      {},
      60_000,
    );
    try {
      await waitFor(() => existsSync(readyFile), 'the emulator', 30_000);
      const iot = emulatorClient(JSON.parse(readFileSync(readyFile, 'utf8')));
      try {
        await iot.send(new CreateThingCommand({ thingName: 'before-the-kill' }));
      } finally {
        iot.destroy();
      }
      await waitFor(savedWith(stateDir, 'before-the-kill'), 'the periodic save', 20_000);
    } finally {
      emulator.child.kill('SIGKILL');
    }
    expect((await emulator.finished).signal).toBe('SIGKILL');
    const restarted = await startTestEmulator({ listeners: [], stateDir });
    try {
      const listed = await restarted.iot.send(new ListThingsCommand({}));
      expect(listed.things?.map((thing) => thing.thingName)).toEqual(['before-the-kill']);
    } finally {
      await restarted.close();
    }
  });
});
