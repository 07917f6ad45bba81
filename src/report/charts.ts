import type { ChartConfiguration } from 'chart.js';
import { formatFleetSize } from './format.js';
import type { EntryView, ReportModel } from './model.js';

/**
 * Chart.js configurations for the HTML report, built here as plain JSON (no callbacks) so the
 * page's script only has to apply the colour scheme and draw them.
 */
export interface ChartSpec {
  id: string;
  config: ChartConfiguration;
}

/** Distinguishable on light and dark backgrounds (Tableau 10). */
const PATTERN_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const ERROR_CLASS_COLOURS: Record<string, string> = {
  throttled: '#f28e2b',
  tls_rejected: '#b07aa1',
  network_unreachable: '#bab0ac',
  auth_rejected: '#e15759',
  timeout: '#edc948',
  server_error: '#9c755f',
  protocol_error: '#76b7b2',
};

export function colourOf(index: number): string {
  return PATTERN_COLOURS[index % PATTERN_COLOURS.length]!;
}

/** Line dashes per run, so one pattern keeps its colour across the runs being compared. */
const RUN_DASHES = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
/** Bar fill opacity per run (hex alpha suffix). */
const RUN_ALPHAS = ['', 'aa', '70', '45'];

function entryStyle(entry: EntryView): { colour: string; dash: number[]; fill: string } {
  const colour = colourOf(entry.scenarioIndex);
  return {
    colour,
    dash: RUN_DASHES[entry.runIndex % RUN_DASHES.length]!,
    fill: `${colour}${RUN_ALPHAS[entry.runIndex % RUN_ALPHAS.length]!}`,
  };
}

function errorClassColour(name: string, index: number): string {
  return ERROR_CLASS_COLOURS[name] ?? colourOf(index + 3);
}

const axisTitle = (text: string) => ({ display: true, text });

function percentileLabels(model: ReportModel): string[] {
  return model.percentiles.map((percentile) => `${percentile}%`);
}

/**
 * Phases worth a curve: one-off steps (prepare, teardown: one sample) would be flat lines, and
 * they stay in the phase table.
 */
export function chartedPhases(entry: EntryView): EntryView['phases'] {
  return entry.phases.filter((phase) => phase.count > 1);
}

/** A line series drawn in one colour (and dash pattern) on both schemes. */
function lineDataset<T>(label: string, data: T[], style: { colour: string; dash: number[] }) {
  return { label, data, borderColor: style.colour, backgroundColor: style.colour, borderDash: style.dash };
}

function percentileCurveChart(
  id: string,
  labels: string[],
  lines: { label: string; values: number[]; colour: string; dash?: number[] }[],
  yScale: 'linear' | 'log' = 'linear',
): ChartSpec {
  return {
    id,
    config: {
      type: 'line',
      data: {
        labels,
        datasets: lines.map((line) => ({
          ...lineDataset(line.label, line.values, { colour: line.colour, dash: line.dash ?? [] }),
          pointRadius: 2,
          borderWidth: 2,
          tension: 0,
        })),
      },
      options: {
        scales: {
          x: { title: axisTitle('percentile (spaced toward the tail)') },
          y:
            yScale === 'log'
              ? { type: 'logarithmic', title: axisTitle('latency (ms, log scale)') }
              : { title: axisTitle('latency (ms)'), beginAtZero: true },
        },
      },
    },
  };
}

function seriesChart(
  id: string,
  entries: EntryView[],
  pick: (entry: EntryView) => number[],
  yTitle: string,
): ChartSpec {
  return {
    id,
    config: {
      type: 'line',
      data: {
        datasets: entries.map((entry) => ({
          ...lineDataset(
            entry.label,
            pick(entry).map((y, bucket) => ({ x: entry.series.seconds[bucket] ?? 0, y })),
            entryStyle(entry),
          ),
          pointRadius: 0,
          borderWidth: 1.5,
        })),
      },
      options: {
        parsing: false,
        scales: {
          x: { type: 'linear', title: axisTitle('time since scenario start (s)'), beginAtZero: true },
          y: { title: axisTitle(yTitle), beginAtZero: true },
        },
      },
    },
  };
}

function stackedBars(
  id: string,
  labels: string[],
  stacks: { label: string; values: number[]; colour: string }[],
  yTitle: string,
): ChartSpec {
  return {
    id,
    config: {
      type: 'bar',
      data: {
        labels,
        datasets: stacks.map((stack) => ({
          label: stack.label,
          data: stack.values,
          backgroundColor: stack.colour,
          borderColor: stack.colour,
        })),
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: axisTitle(yTitle) },
        },
      },
    },
  };
}

export function hasErrors(model: ReportModel): boolean {
  return model.entries.some((entry) => entry.failed > 0 || entry.errorRecords.length > 0);
}

export function hasProjection(model: ReportModel): boolean {
  return model.entries.some((entry) => entry.projection.devicesPerSecondLimit !== null);
}

/** The largest unit in which the shortest projected time is still at least 1 (keeps log ticks whole). */
function projectionUnit(shortestSeconds: number): { name: string; seconds: number } {
  if (shortestSeconds >= 3600) return { name: 'hours', seconds: 3600 };
  if (shortestSeconds >= 60) return { name: 'minutes', seconds: 60 };
  return { name: 'seconds', seconds: 1 };
}

/** Log scale when the patterns' medians differ more than tenfold (one would lie flat on a linear axis). */
export function timeToConnectedScale(model: ReportModel): 'linear' | 'log' {
  const medians = model.entries
    .filter((entry) => entry.timeToConnected.count > 0)
    .map((entry) => entry.timeToConnected.p50);
  if (medians.length < 2) return 'linear';
  return Math.max(...medians) > 10 * Math.max(Math.min(...medians), 0.001) ? 'log' : 'linear';
}

/** Time to connected p50 (solid) and p99 (faded) per pattern, one pair of bars per network profile. */
function profilesChart(model: ReportModel): ChartSpec {
  const scenarios = [...new Set(model.entries.map((entry) => entry.scenario))];
  const value = (scenario: string, profile: string, pick: (entry: EntryView) => number) => {
    const entry = model.entries.find(
      (candidate) => candidate.scenario === scenario && candidate.network === profile,
    );
    return entry && entry.timeToConnected.count > 0 ? Math.round(pick(entry) * 100) / 100 : null;
  };
  return {
    id: 'chart-profiles',
    config: {
      type: 'bar',
      data: {
        labels: scenarios,
        datasets: model.profiles.flatMap((profile, index) => [
          {
            label: `${profile} p50`,
            data: scenarios.map((scenario) => value(scenario, profile, (entry) => entry.timeToConnected.p50)),
            backgroundColor: colourOf(index),
            borderColor: colourOf(index),
            borderWidth: 1,
          },
          {
            label: `${profile} p99`,
            data: scenarios.map((scenario) => value(scenario, profile, (entry) => entry.timeToConnected.p99)),
            backgroundColor: `${colourOf(index)}55`,
            borderColor: colourOf(index),
            borderWidth: 1,
          },
        ]),
      },
      options: {
        scales: { y: { type: 'logarithmic', title: axisTitle('time to connected (ms, log scale)') } },
      },
    },
  };
}

/** Every chart of the report, in page order; ids match the canvases the HTML places. */
export function buildCharts(model: ReportModel): ChartSpec[] {
  const labels = percentileLabels(model);
  const charts: ChartSpec[] = [
    percentileCurveChart(
      'chart-time-to-connected',
      labels,
      model.entries.map((entry) => ({
        label: entry.label,
        values: entry.timeToConnectedCurve,
        colour: entryStyle(entry).colour,
        dash: entryStyle(entry).dash,
      })),
      timeToConnectedScale(model),
    ),
  ];
  model.entries.forEach((entry, entryIndex) => {
    if (chartedPhases(entry).length === 0) return;
    charts.push(
      percentileCurveChart(
        `chart-phases-${entryIndex}`,
        labels,
        chartedPhases(entry).map((phase, index) => ({
          label: phase.name,
          values: phase.curve,
          colour: colourOf(index),
          dash: index >= PATTERN_COLOURS.length ? [6, 3] : [],
        })),
        'log',
      ),
    );
  });
  charts.push(
    seriesChart(
      'chart-throughput',
      model.entries,
      (entry) => entry.series.succeededPerSecond,
      'devices connected per second',
    ),
  );
  charts.push(
    seriesChart(
      'chart-errors-over-time',
      model.entries,
      (entry) => entry.series.failedPerSecond,
      'devices failed per second',
    ),
  );
  if (hasErrors(model)) {
    const entryLabels = model.entries.map((entry) => entry.label);
    charts.push(
      stackedBars(
        'chart-errors-by-class',
        entryLabels,
        model.errorClasses.map((name, index) => ({
          label: name,
          values: model.entries.map((entry) => entry.errorsByClass[name] ?? 0),
          colour: errorClassColour(name, index),
        })),
        'errors (count)',
      ),
    );
    const phaseNames = [...new Set(model.entries.flatMap((entry) => Object.keys(entry.errorsByPhase)))];
    charts.push(
      stackedBars(
        'chart-errors-by-phase',
        entryLabels,
        phaseNames.map((phase, index) => ({
          label: phase,
          values: model.entries.map((entry) => entry.errorsByPhase[phase] ?? 0),
          colour: colourOf(index + 2),
        })),
        'errors (count)',
      ),
    );
  }
  if (model.profiles.length > 1) charts.push(profilesChart(model));
  if (hasProjection(model)) {
    const projected = model.entries.filter((entry) => entry.projection.devicesPerSecondLimit !== null);
    const seconds = projected.flatMap((entry) => entry.projection.fleets.map((fleet) => fleet.seconds));
    const unit = projectionUnit(Math.min(...seconds.filter((value) => value > 0)));
    charts.push({
      id: 'chart-projection',
      config: {
        type: 'bar',
        data: {
          labels: model.fleetSizes.map((devices) => `${formatFleetSize(devices)} devices`),
          datasets: projected.map((entry) => {
            return {
              label: `${entry.label} (${entry.projection.bottleneckApi ?? 'no quota'})`,
              data: model.fleetSizes.map((devices) => {
                const fleet = entry.projection.fleets.find((candidate) => candidate.devices === devices);
                return fleet ? Math.round((fleet.seconds / unit.seconds) * 100) / 100 : null;
              }),
              backgroundColor: entryStyle(entry).fill,
              borderColor: entryStyle(entry).colour,
              borderWidth: 1,
            };
          }),
        },
        options: {
          scales: {
            y: {
              type: 'logarithmic',
              title: axisTitle(`${unit.name} (log scale)`),
              ticks: { format: { minimumFractionDigits: 0, maximumFractionDigits: 2 } },
            },
          },
        },
      },
    });
  }
  return charts;
}
