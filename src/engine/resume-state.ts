import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ScenarioResult } from '../metrics/result-schema.js';
import {
  type DeviceRecord,
  type FinishedDevices,
  type FinishedSurvey,
  journalRecords,
  replayFinished,
  surveyFinished,
} from './device-journal.js';

/**
 * What a resumable run keeps in its run dir as it goes (docs/running.md "Resuming a run"), so
 * that `provbench run --resume` can continue it: the device journal (devices.jsonl), each
 * scenario's ctx.shared once prepare succeeded (prepared-<n>.json, mode 0600: it may hold a
 * CA's private key), each finished scenario's result (scenario-<n>.json), and the devices each
 * resume ran again (reruns.jsonl).
 */
export class ResumeState {
  private readonly surveys = new Map<number, FinishedSurvey>();

  constructor(
    readonly dir: string,
    /** This attempt of the run: 1 for the first, 2 for the first resume, ... */
    readonly attempt: number,
    /** When the first attempt started (ISO 8601): the run's start. */
    readonly startedAt?: string,
  ) {}

  /**
   * A new run in this dir (attempt 1): what an earlier run left here (its journal, prepared
   * state, finished scenarios) must not be taken for this run's.
   */
  clearEarlierRun(): void {
    for (const name of readdirSync(this.dir)) {
      if (EARLIER_RUN_FILES.test(name)) rmSync(this.file(name), { force: true });
    }
  }

  get journalPath(): string {
    return join(this.dir, 'devices.jsonl');
  }

  /** Earlier attempts' journal lines of scenario `scenario`, streamed from the file. */
  private async *records(scenario: number): AsyncGenerator<DeviceRecord> {
    if (this.attempt === 1) return;
    for await (const record of journalRecords(this.journalPath)) {
      if (record.scenario === scenario && record.attempt < this.attempt) yield record;
    }
  }

  private async survey(scenario: number): Promise<FinishedSurvey> {
    let survey = this.surveys.get(scenario);
    if (!survey) {
      survey = await surveyFinished(() => this.records(scenario));
      this.surveys.set(scenario, survey);
    }
    return survey;
  }

  /** Devices of `scenario` that earlier attempts finished. */
  async finishedIndices(scenario: number): Promise<Set<number>> {
    return (await this.survey(scenario)).indices;
  }

  /** Earlier attempts' devices of `scenario`, replayed to end at `endAtMs`; null when none. */
  async finished(scenario: number, endAtMs: number): Promise<FinishedDevices | null> {
    const survey = await this.survey(scenario);
    if (survey.indices.size === 0) return null;
    return replayFinished(() => this.records(scenario), survey, endAtMs);
  }

  /** The result of `scenario` when an earlier attempt finished it, else null. */
  finishedScenario(scenario: number): ScenarioResult | null {
    if (this.attempt === 1) return null;
    const text = readIfExists(this.file(`scenario-${scenario}.json`));
    return text === null ? null : ScenarioResult.parse(JSON.parse(text));
  }

  saveScenario(scenario: number, result: ScenarioResult): void {
    writeAtomically(this.file(`scenario-${scenario}.json`), JSON.stringify(result));
  }

  /** ctx.shared as prepare left it in an earlier attempt, when its resources may still exist. */
  prepared(scenario: number): Record<string, unknown> | null {
    if (this.attempt === 1) return null;
    const text = readIfExists(this.file(`prepared-${scenario}.json`));
    return text === null ? null : (JSON.parse(text) as Record<string, unknown>);
  }

  savePrepared(scenario: number, shared: Record<string, unknown>): void {
    writeAtomically(this.file(`prepared-${scenario}.json`), JSON.stringify(shared));
  }

  /** prepare's resources are about to be deleted (cleanup): a resume must prepare again. */
  forgetPrepared(scenario: number): void {
    rmSync(this.file(`prepared-${scenario}.json`), { force: true });
  }

  /** Records that this attempt ran `devices` devices of `scenario` again (cut off earlier). */
  addReruns(scenario: number, devices: number): void {
    if (devices === 0) return;
    appendFileSync(
      this.file('reruns.jsonl'),
      `${JSON.stringify({ attempt: this.attempt, scenario, devices })}\n`,
      { mode: 0o600 },
    );
  }

  /** Devices run again over all resumes so far. */
  reruns(): number {
    const text = readIfExists(this.file('reruns.jsonl')) ?? '';
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .reduce((sum, line) => sum + ((JSON.parse(line) as { devices: number }).devices ?? 0), 0);
  }

  private file(name: string): string {
    return join(this.dir, name);
  }
}

/** The files a run's resume state is made of (see the class comment). */
const EARLIER_RUN_FILES = /^(devices\.jsonl|reruns\.jsonl|scenario-\d+\.json|prepared-\d+\.json)$/;

function readIfExists(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** Writes `text` to `path` via a temporary file and a rename (mode 0600): never half a file. */
export function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, path);
}

/** A ledger writer's name: keys must not repeat when a resumed run's threads write again. */
export function ledgerWriter(name: string, attempt = 1): string {
  return attempt > 1 ? `${name}r${attempt}` : name;
}
