import { chartedPhases, timeToConnectedScale } from './charts.js';
import { escapeMarkup as e } from './escape.js';
import {
  FIELD_SUMMARY_HEADERS,
  fieldGlanceItems,
  fieldSummaryCells,
  quotaWording,
} from './field-sections.js';
import {
  describeThrottling,
  formatCount,
  formatDecimal,
  formatDuration,
  formatFleetSize,
  formatMs,
  formatPercent,
  formatRate,
} from './format.js';
import { best, chart, latencyOrDash, patternCell, table } from './html-table.js';
import type { EntryView, ReportModel, RunView } from './model.js';

/** The HTML sections of the report: every figure is in a table, so the page reads without JS. */

function largestFleetSeconds(entry: EntryView, devices: number): number | undefined {
  return entry.projection.fleets.find((fleet) => fleet.devices === devices)?.seconds;
}

function projectionGlance(model: ReportModel): string | undefined {
  const largest = model.fleetSizes.at(-1);
  if (largest === undefined) return undefined;
  const projected = model.entries
    .filter((entry) => entry.projection.devicesPerSecondLimit !== null)
    .map((entry) => ({ entry, seconds: largestFleetSeconds(entry, largest) }))
    .filter((item): item is { entry: EntryView; seconds: number } => item.seconds !== undefined)
    .sort((a, b) => a.seconds - b.seconds);
  const first = projected[0];
  const last = projected.at(-1);
  if (!first || !last) return undefined;
  const bottleneck = (entry: EntryView) =>
    `bottleneck ${e(entry.projection.bottleneckApi ?? 'none')} at ${formatRate(entry.projection.devicesPerSecondLimit ?? 0).replace('/s', ' devices/s')}`;
  const fleet = `${formatFleetSize(largest)}-device`;
  if (first.seconds === last.seconds) {
    const bottlenecks = new Map(
      projected.map(({ entry }) => [entry.scenario, entry.projection.bottleneckApi ?? 'none']),
    );
    const names = [...bottlenecks].map(([scenario, api]) => `<strong>${e(scenario)}</strong> (${e(api)})`);
    return `A ${fleet} rollout under ${quotaWording(model).name} takes ${formatDuration(first.seconds)} with ${names.join(', ')}: each is held to ${formatRate(first.entry.projection.devicesPerSecondLimit ?? 0).replace('/s', ' devices/s')} by the API named.`;
  }
  return `Shortest ${fleet} rollout under ${quotaWording(model).name}: <strong>${e(first.entry.label)}</strong> (${formatDuration(first.seconds)}, ${bottleneck(first.entry)}); slowest: <strong>${e(last.entry.label)}</strong> (${formatDuration(last.seconds)}, ${bottleneck(last.entry)}).`;
}

export function glanceSection(model: ReportModel): string {
  // Only patterns that provisioned something compete: a pattern that never ran makes 0 API calls.
  const ran = model.entries.filter((entry) => entry.succeeded > 0);
  const items: string[] = [];
  // Field time is compared within one network profile, with the factory's time beside it.
  items.push(...fieldGlanceItems(ran));
  const quickest = best(ran, (entry) => -entry.devicesPerSecond);
  if (quickest && ran.length > 1) {
    items.push(
      `Highest measured throughput: <strong>${e(quickest.label)}</strong> (${formatRate(quickest.devicesPerSecond).replace('/s', ' devices/s')}).`,
    );
  }
  const leanest = best(ran, (entry) => entry.apiCallsPerDevice);
  if (leanest && ran.length > 1) {
    items.push(
      `Fewest AWS IoT API calls per device: <strong>${e(leanest.label)}</strong> (${formatDecimal(leanest.apiCallsPerDevice)}).`,
    );
  }
  const reliable = best(ran, (entry) => entry.failureRate);
  if (reliable && ran.length > 1) {
    items.push(
      `Lowest failure rate: <strong>${e(reliable.label)}</strong> (${formatPercent(reliable.failureRate)}).`,
    );
  }
  const projection = projectionGlance(model);
  if (projection) items.push(projection);
  const broken = model.entries.filter((entry) => entry.succeeded === 0 && entry.requested > 0);
  if (broken.length) {
    items.push(
      `<span class="bad">No device reached a working connection</span> with ${broken.map((entry) => `<strong>${e(entry.label)}</strong>`).join(', ')}; see <a href="#errors">Errors</a> for the cause.`,
    );
  }
  const partial = model.runs.filter((run) => run.partial);
  const warning = partial.length
    ? `<p class="warning">Partial results: run ${partial.map((run) => e(run.runId)).join(', ')} ended early; its figures cover only the devices that ran.</p>`
    : '';
  const keyNotes = model.runs
    .filter((run) => run.keySupplyNote)
    .map((run) => `<p class="warning">${e(run.keySupplyNote ?? '')}</p>`)
    .join('');
  const resumed = model.runs.filter((run) => run.resumed);
  const resumedNote = resumed.length
    ? `<p>Resumed: ${resumed.map((run) => `run ${e(run.runId)} was continued ${describeResumed(run.resumed)}`).join('; ')}. The figures cover every device once, device time only (the time between attempts is left out).</p>`
    : '';
  return `<section id="glance"><h2>At a glance</h2>${warning}${keyNotes}${resumedNote}<ul>${items.map((item) => `<li>${item}</li>`).join('')}</ul></section>`;
}

export function summarySection(model: ReportModel): string {
  const withNotRun = model.entries.some((entry) => entry.notRun > 0);
  const rows = model.entries.map((entry) => [
    patternCell(entry),
    formatCount(entry.requested),
    formatCount(entry.succeeded),
    formatCount(entry.failed),
    ...(withNotRun ? [formatCount(entry.notRun)] : []),
    formatPercent(entry.failureRate),
    formatRate(entry.devicesPerSecond),
    latencyOrDash(entry, entry.timeToConnected.p50),
    latencyOrDash(entry, entry.timeToConnected.p90),
    latencyOrDash(entry, entry.timeToConnected.p99),
    latencyOrDash(entry, entry.timeToConnected.max),
    ...fieldSummaryCells(entry),
    formatDecimal(entry.apiCallsPerDevice),
    formatDecimal(entry.attemptsPerDevice),
  ]);
  return `<section id="summary"><h2>Summary per pattern</h2>${table(
    [
      'Pattern',
      'Devices requested',
      'Succeeded',
      'Failed',
      ...(withNotRun ? ['Did not run'] : []),
      'Failure rate',
      'Devices per second',
      'Time to connected p50',
      'p90',
      'p99',
      'max',
      ...FIELD_SUMMARY_HEADERS,
      'API calls per device',
      'Attempts per device',
    ],
    rows,
    'Time to connected: power-on to the first acknowledged MQTT publish, from the device’s point of view. Failure rate: requested devices that did not end provisioned. Data per device: bytes the device sent and received on its field link, below TLS (what a SIM plan bills, TCP/IP headers aside).',
  )}${throttlingNotes(model)}</section>`;
}

/** Throttling per pattern, never hidden: answers retried, calls that failed, waits for quota slots. */
function throttlingNotes(model: ReportModel): string {
  const notes = model.entries.flatMap((entry) => {
    const note = describeThrottling(entry.throttling);
    return note ? [`<li><strong>${e(entry.label)}</strong>: ${e(note)}</li>`] : [];
  });
  return notes.length ? `<p>Throttling (AWS IoT's TPS quotas):</p><ul>${notes.join('')}</ul>` : '';
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** Prose from a scenario's declaration, with break opportunities inside long topic paths. */
function fact(text: string): string {
  return e(text).replace(/\//g, '/<wbr>');
}

function factOrNone(text: string | null): string {
  return text ? fact(text) : '<span class="muted">none</span>';
}

function listOrNone(values: string[]): string {
  return values.length ? values.map(fact).join('<br>') : '<span class="muted">none</span>';
}

/** A measured figure per run when several runs hold the scenario ("night-1: 186 ms"). */
function perRun(entries: EntryView[], format: (entry: EntryView) => string): string {
  if (entries.length === 1) return format(entries[0]!);
  return entries.map((entry) => `${e(entry.runId)}: ${format(entry)}`).join('<br>');
}

function change(from: number, to: number, format: (value: number) => string): string {
  if (from === to) return `${format(to)} <span class="muted">(=)</span>`;
  const percent = from === 0 ? null : ((to - from) / Math.abs(from)) * 100;
  const delta =
    percent === null ? '' : ` <span class="muted">(${percent > 0 ? '+' : ''}${percent.toFixed(1)}%)</span>`;
  return `${format(from)} → ${format(to)}${delta}`;
}

/** For comparisons: each pattern that appears in several runs, first run against last. */
export function runChangesSection(model: ReportModel): string {
  const byScenario = new Map<string, EntryView[]>();
  for (const entry of model.entries)
    byScenario.set(entry.scenario, [...(byScenario.get(entry.scenario) ?? []), entry]);
  const rows = [...byScenario.values()]
    .filter((entries) => entries.length > 1)
    .map((entries) => {
      const first = entries[0]!;
      const last = entries.at(-1)!;
      const latency = (pick: (entry: EntryView) => number) =>
        first.timeToConnected.count && last.timeToConnected.count
          ? change(pick(first), pick(last), formatMs)
          : '–';
      return [
        `<span class="pattern">${e(first.scenario)}</span>`,
        `${e(first.runId)} → ${e(last.runId)}`,
        latency((entry) => entry.timeToConnected.p50),
        latency((entry) => entry.timeToConnected.p99),
        change(first.devicesPerSecond, last.devicesPerSecond, formatRate),
        change(first.failureRate, last.failureRate, formatPercent),
        change(first.apiCallsPerDevice, last.apiCallsPerDevice, (value) => formatDecimal(value)),
      ];
    });
  if (rows.length === 0) return '';
  return `<section id="changes"><h2>Changes between runs</h2>${table(
    [
      'Pattern',
      'Runs',
      'Connected p50',
      'Connected p99',
      'Devices per second',
      'Failure rate',
      'API calls per device',
    ],
    rows,
    'First run against last, for each pattern present in more than one run.',
    [1],
  )}</section>`;
}

export function qualitativeSection(model: ReportModel): string {
  const byScenario = new Map<string, EntryView[]>();
  for (const entry of model.entries)
    byScenario.set(entry.scenario, [...(byScenario.get(entry.scenario) ?? []), entry]);
  const rows = [...byScenario.values()]
    .map((entries) => [entries[0]!, entries] as const)
    .map(([entry, entries]) => [
      `<span class="pattern">${e(entry.scenario)}</span><br><span class="muted">${e(entry.title)}</span>`,
      listOrNone(entry.facts.factorySteps),
      yesNo(entry.facts.caToOperate),
      factOrNone(entry.facts.cloudCompute),
      factOrNone(entry.facts.bootstrapApi),
      listOrNone(entry.facts.secretsAtManufacturing),
      fact(entry.facts.rootOfIdentity),
      perRun(
        entries,
        (one) =>
          `${latencyOrDash(one, one.timeToConnected.p50)} p50<br>${formatRate(one.devicesPerSecond)}<br>${formatDecimal(one.apiCallsPerDevice)} calls/device`,
      ),
    ]);
  return `<section id="qualitative"><h2>What each pattern asks of you</h2>${table(
    [
      'Pattern',
      'Factory steps',
      'CA to operate',
      'Cloud compute to run',
      'Bootstrap API to host',
      'Secrets present at manufacturing',
      'Root of identity',
      'Measured',
    ],
    rows,
    undefined,
    [1, 2, 3, 4, 5, 6],
  )}</section>`;
}

export function projectionSection(model: ReportModel, withChart: boolean): string {
  const rows = model.entries.map((entry) => [
    patternCell(entry),
    entry.projection.bottleneckApi
      ? e(entry.projection.bottleneckApi)
      : '<span class="muted">no quota applies</span>',
    entry.projection.devicesPerSecondLimit === null
      ? '–'
      : formatRate(entry.projection.devicesPerSecondLimit),
    formatRate(entry.devicesPerSecond),
    ...model.fleetSizes.map((devices) => {
      const fleet = entry.projection.fleets.find((candidate) => candidate.devices === devices);
      return fleet && entry.projection.devicesPerSecondLimit !== null ? formatDuration(fleet.seconds) : '–';
    }),
  ]);
  const quotas = quotaWording(model);
  return `<section id="projection"><h2>Time to provision a fleet under ${quotas.name}</h2>
<p>Projected from each pattern’s API calls per device and ${quotas.note ? 'the account’s per-account quotas' : 'AWS IoT’s default per-account quotas'}; the bottleneck is the API whose quota runs out first.</p>${quotas.note}
${table(
  [
    'Pattern',
    'Bottleneck API',
    'Quota allows (devices/s)',
    'Measured (devices/s)',
    ...model.fleetSizes.map((devices) => `${formatFleetSize(devices)} devices`),
  ],
  rows,
  undefined,
  [1],
)}${withChart ? chart('chart-projection', 'Time to provision the whole fleet (log scale), per fleet size and pattern') : ''}</section>`;
}

export function latencySection(model: ReportModel): string {
  const phaseBlocks = model.entries
    .map((entry, index) => {
      const rows = entry.phases.map((phase) => [
        e(phase.name),
        formatCount(phase.count),
        ...[phase.p50, phase.p90, phase.p99, phase.max].map((value) =>
          phase.count === 0 ? '–' : formatMs(value),
        ),
        formatCount(Object.values(phase.errors).reduce((sum, count) => sum + count, 0)),
      ]);
      return `<article class="phase-block"><h3>${e(entry.label)} <span class="muted">${e(entry.title)}</span></h3>
${table(['Phase', 'Samples', 'p50', 'p90', 'p99', 'max', 'Errors'], rows)}
${chartedPhases(entry).length ? chart(`chart-phases-${index}`, `${entry.label}: latency by percentile per phase (ms, log scale)`) : ''}</article>`;
    })
    .join('\n');
  return `<section id="latency"><h2>Latency</h2>
${chart('chart-time-to-connected', `Time to connected by percentile, per pattern (ms${timeToConnectedScale(model) === 'log' ? ', log scale' : ''})`)}
<h3>Per phase</h3>
<p>From HDR histograms (3 significant digits); open-model runs are corrected for coordinated omission.</p>
${phaseBlocks}</section>`;
}

export function timelineSection(model: ReportModel): string {
  const folded = model.entries.filter((entry) => entry.series.bucketSeconds > 1);
  const note = folded.length
    ? `<p class="muted">Long runs are drawn in buckets of ${[...new Set(folded.map((entry) => entry.series.bucketSeconds))].join('/')} s (average per second over the bucket); result.json keeps every second.</p>`
    : '';
  return `<section id="timeline"><h2>Throughput and errors over time</h2>${note}
${chart('chart-throughput', 'Devices reaching a working connection per second')}
${chart('chart-errors-over-time', 'Devices failing per second')}</section>`;
}

export function errorsSection(model: ReportModel, withCharts: boolean): string {
  if (!withCharts) {
    return '<section id="errors"><h2>Errors</h2><p>No device failed and no error was recorded.</p></section>';
  }
  const classRows = model.entries.map((entry) => [
    e(entry.label),
    ...model.errorClasses.map((name) => formatCount(entry.errorsByClass[name] ?? 0)),
    formatCount(Object.values(entry.errorsByClass).reduce((sum, count) => sum + count, 0)),
  ]);
  const recordRows = model.entries.flatMap((entry) =>
    entry.errorRecords.map((record) => [
      e(entry.label),
      e(record.phase),
      e(record.errorClass),
      formatCount(record.count),
      `<code>${e(record.sample)}</code>`,
    ]),
  );
  return `<section id="errors"><h2>Errors</h2>
${table(['Pattern', ...model.errorClasses.map((name) => e(name)), 'Total'], classRows, 'Errors by class')}
<div class="chart-pair">${chart('chart-errors-by-class', 'Errors by class, per pattern (count)')}${chart('chart-errors-by-phase', 'Errors by phase, per pattern (count)')}</div>
${table(['Pattern', 'Phase', 'Class', 'Count', 'Example message'], recordRows, 'Errors by phase and class', [1, 2, 4])}</section>`;
}

/** "once (3 devices run again)" for a run resumed once. */
function describeResumed(resumed: RunView['resumed']): string {
  if (!resumed) return '';
  const times = resumed.times === 1 ? 'once' : `${resumed.times} times`;
  return `${times} (${resumed.rerunDevices} devices cut off mid-way run again)`;
}

export function runsSection(model: ReportModel): string {
  const rows = model.runs.map((run) => [
    `<code>${e(run.runId)}</code>`,
    e(run.target),
    e(run.startedAt),
    e(run.finishedAt),
    `${run.partial ? '<strong>partial</strong>' : 'complete'}${run.resumed ? `, resumed ${describeResumed(run.resumed)}` : ''}`,
    run.shard ? `${run.shard.index}/${run.shard.count}` : '–',
    e(
      `provbench ${run.environment.provbenchVersion}, Node ${run.environment.node}, ${run.environment.platform}, ${run.environment.cpus} CPUs, ${(run.environment.memoryBytes / 1024 ** 3).toFixed(1)} GiB`,
    ),
  ]);
  return `<section id="runs"><h2>Runs</h2>${table(['Run', 'Target', 'Started', 'Finished', 'Status', 'Shard', 'Environment'], rows, undefined, [1, 2, 3, 4, 5, 6])}</section>`;
}
