import type { HistoryComparedFigure } from '../metrics/history-gate.js';
import { figure, textTable } from './ci-table.js';

/** `ci --history`'s table: the regression table with the history's median, spread and run count. */
export function historyRegressionTable(rows: readonly HistoryComparedFigure[]): string {
  return textTable(
    ['status', 'scenario', 'figure', 'median', 'spread', 'runs', 'current', 'change', 'better'],
    rows.map((row) => [
      row.regressed ? 'REGRESSED' : row.note ? 'note' : 'ok',
      row.scenario,
      row.note ? `${row.figure}: ${row.note}` : row.figure,
      figure(row.baseline, row.unit),
      row.spread === null ? '–' : `±${figure(row.spread, row.unit)}`,
      row.runs ? String(row.runs) : '–',
      figure(row.current, row.unit),
      row.changePercent === null
        ? '–'
        : `${row.changePercent >= 0 ? '+' : ''}${row.changePercent.toFixed(1)}%`,
      row.better,
    ]),
    [3, 4, 5, 6, 7],
  );
}
