import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_FILE = join(import.meta.dirname, '../../deploy/grafana/provbench-run.json');

export interface DashboardTarget {
  panel: string;
  expr: string;
}

export interface Dashboard {
  schemaVersion: number;
  templating: { list: Array<{ name: string; type: string; query: unknown; definition?: string }> };
  panels: Array<{
    title: string;
    datasource: { uid: string };
    targets: Array<{ expr: string; datasource: { uid: string } }>;
  }>;
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Every PromQL expression of the dashboard's panels, with the panel it is in. */
export function dashboardTargets(dashboard: Dashboard): DashboardTarget[] {
  return dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ panel: panel.title, expr: target.expr })),
  );
}

/** An expression as Grafana sends it: variables replaced by the given values. */
export function substitute(
  expr: string,
  values: { runId: string; scenario: string; rateInterval: string },
): string {
  return expr
    .replaceAll('$run_id', values.runId)
    .replaceAll('$scenario', values.scenario)
    .replaceAll('$__rate_interval', values.rateInterval);
}
