import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ledgerWriter, ResumeState } from '../../src/engine/resume-state.js';
import { syntheticRun } from '../support/synthetic-run.js';

describe('a run dir’s resume state', () => {
  const scenario = syntheticRun({ devices: 50, failureFraction: 0, seed: 3 }).scenarios[0];
  if (!scenario) throw new Error('synthetic run without scenarios');

  it('gives a resume what earlier attempts saved: finished scenarios, prepare’s ctx.shared (mode 0600), reruns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-resume-state-'));
    const first = new ResumeState(dir, 1);
    first.saveScenario(0, scenario);
    first.savePrepared(1, { policyName: 'p', ca: { caPrivateKeyPem: 'secret' } });
    expect(statSync(join(dir, 'prepared-1.json')).mode & 0o777).toBe(0o600);
    // The first attempt runs everything itself.
    expect(first.finishedScenario(0)).toBeNull();
    expect(first.prepared(1)).toBeNull();

    const resumed = new ResumeState(dir, 2);
    expect(resumed.finishedScenario(0)).toEqual(scenario);
    expect(resumed.finishedScenario(1)).toBeNull();
    expect(resumed.prepared(1)).toEqual({ policyName: 'p', ca: { caPrivateKeyPem: 'secret' } });
    resumed.forgetPrepared(1);
    expect(resumed.prepared(1)).toBeNull();
    resumed.addReruns(1, 3);
    resumed.addReruns(1, 0);
    new ResumeState(dir, 3).addReruns(0, 2);
    expect(resumed.reruns()).toBe(5);
  });

  it('a new run in the same dir clears what an earlier run left for resuming, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-resume-clear-'));
    for (const name of [
      'devices.jsonl',
      'reruns.jsonl',
      'scenario-0.json',
      'prepared-12.json',
      'ledger.jsonl',
      'run.json',
      'result.json',
    ])
      writeFileSync(join(dir, name), '{}\n');
    new ResumeState(dir, 1).clearEarlierRun();
    expect(readdirSync(dir).sort()).toEqual(['ledger.jsonl', 'result.json', 'run.json']);
  });

  it('ledger writers of a resumed attempt get keys of their own', () => {
    expect(ledgerWriter('s0w1')).toBe('s0w1');
    expect(ledgerWriter('s0w1', 1)).toBe('s0w1');
    expect(ledgerWriter('s0w1', 3)).toBe('s0w1r3');
  });
});
