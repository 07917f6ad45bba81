import type { ComparedFigure } from '../metrics/regression.js';
import type { ThresholdOutcome } from '../metrics/thresholds.js';
import { formatDecimal } from './format.js';

/** Plain-text tables for `provbench ci` (terminal and CI logs). */
export function textTable(headers: string[], rows: string[][], rightAligned: number[] = []): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((text, column) =>
        rightAligned.includes(column) ? text.padStart(widths[column]!) : text.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export function figure(value: number | null, unit: string): string {
  if (value === null) return '–';
  const digits = Math.abs(value) >= 100 ? 1 : 3;
  return `${formatDecimal(Math.round(value * 10 ** digits) / 10 ** digits, digits)}${unit && unit !== '%' ? ` ${unit}` : unit}`;
}

export function thresholdTable(outcomes: readonly ThresholdOutcome[]): string {
  return textTable(
    ['status', 'scenario', 'metric', 'threshold', 'actual'],
    outcomes.map((outcome) => [
      outcome.passed ? 'ok' : 'FAIL',
      outcome.scenario,
      outcome.metric,
      outcome.expression,
      figure(outcome.actual, outcome.unit),
    ]),
    [4],
  );
}

/** Rows that moved: regressed, noted, or changed by at least `minChangePercent` either way. */
export function movedFigures<Row extends ComparedFigure>(rows: readonly Row[], minChangePercent = 1): Row[] {
  return rows.filter(
    (row) =>
      row.regressed ||
      row.note !== '' ||
      (row.changePercent === null
        ? row.baseline !== row.current
        : Math.abs(row.changePercent) >= minChangePercent),
  );
}

export function regressionTable(rows: readonly ComparedFigure[]): string {
  return textTable(
    ['status', 'scenario', 'figure', 'baseline', 'current', 'change', 'better'],
    rows.map((row) => [
      row.regressed ? 'REGRESSED' : row.note ? 'note' : 'ok',
      row.scenario,
      row.note ? `${row.figure}: ${row.note}` : row.figure,
      figure(row.baseline, row.unit),
      figure(row.current, row.unit),
      row.changePercent === null
        ? '–'
        : `${row.changePercent >= 0 ? '+' : ''}${row.changePercent.toFixed(1)}%`,
      row.better,
    ]),
    [3, 4, 5],
  );
}
