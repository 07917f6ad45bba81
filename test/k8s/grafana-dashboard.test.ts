import { describe, expect, it } from 'vitest';
import { LiveMetrics } from '../../src/engine/live-metrics.js';
import { dashboardTargets, readDashboard } from '../support/grafana-dashboard.js';

/** Series names provbench exports, from a live registry: histograms as _bucket, _sum and _count. */
async function exportedSeriesNames(): Promise<Set<string>> {
  const metrics = await new LiveMetrics({ runId: 'r', shard: '1/1' }).registry.getMetricsAsJSON();
  const names = new Set<string>();
  for (const metric of metrics) {
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    else names.add(metric.name);
  }
  return names;
}

/** Grafana's reference to the dashboard's data source variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal
const DATASOURCE_VARIABLE = '${datasource}';

describe('deploy/grafana/provbench-run.json', () => {
  const dashboard = readDashboard();
  const targets = dashboardTargets(dashboard);

  it('is a current Grafana dashboard with a data source and a run_id variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    const variables = new Map(dashboard.templating.list.map((variable) => [variable.name, variable]));
    expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.get('run_id')?.type).toBe('query');
    expect(variables.get('run_id')?.definition).toMatch(/^label_values\(provbench_\w+, run_id\)$/);
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe(DATASOURCE_VARIABLE);
      for (const target of panel.targets)
        expect(target.datasource.uid, panel.title).toBe(DATASOURCE_VARIABLE);
    }
  });

  it('queries only series provbench exports, each for the chosen run', async () => {
    const exported = await exportedSeriesNames();
    expect(targets.length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const { panel, expr } of targets) {
      const names = expr.match(/\bprovbench_[a-z_]+/g) ?? [];
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        expect(exported.has(name), `${panel}: ${name} is not exported`).toBe(true);
        used.add(name);
      }
      // Every selector of the expression names the run.
      const selectors = expr.match(/\bprovbench_[a-z_]+(\{[^}]*\})?/g) ?? [];
      for (const selector of selectors) expect(selector, `${panel}: ${expr}`).toContain('run_id="$run_id"');
    }
    // The panels the dashboard promises: devices per second, time to connected, failures, throttling.
    for (const name of [
      'provbench_devices_succeeded_total',
      'provbench_time_to_connected_seconds_bucket',
      'provbench_devices_failed_total',
      'provbench_api_throttled_total',
    ])
      expect(used.has(name), name).toBe(true);
  });
});
