import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../src/report/charts.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { buildReportModel, foldSeries } from '../../src/report/model.js';
import { syntheticRun } from '../support/synthetic-run.js';

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('report model', () => {
  it('folds long per-second series into at most 300 buckets, keeping the totals', () => {
    const run = syntheticRun({ devices: 4000, ratePerSecond: 5, scenarios: undefined, seed: 2 });
    const series = run.scenarios[0]!.series;
    expect(series.length).toBeGreaterThan(300);
    const folded = foldSeries(series);
    expect(folded.seconds.length).toBeLessThanOrEqual(300);
    const width = (bucket: number) =>
      Math.min(folded.bucketSeconds, series.length - bucket * folded.bucketSeconds);
    const total = (values: number[]) =>
      Math.round(sum(values.map((perSecond, bucket) => perSecond * width(bucket))));
    expect(total(folded.succeededPerSecond)).toBe(sum(series.map((point) => point.succeeded)));
    expect(total(folded.failedPerSecond)).toBe(sum(series.map((point) => point.failed)));
    expect(total(folded.startedPerSecond)).toBe(run.scenarios[0]!.summary.devices.requested);
  });

  it('keeps a short series at one point per second', () => {
    const run = syntheticRun({ devices: 300, ratePerSecond: 50 });
    const series = run.scenarios[0]!.series;
    const folded = foldSeries(series);
    expect(folded.bucketSeconds).toBe(1);
    expect(folded.succeededPerSecond).toEqual(series.map((point) => point.succeeded));
  });

  it('labels a scenario that appears in several runs with its run id', () => {
    const a = syntheticRun({ devices: 200, runId: 'night-1' });
    const b = syntheticRun({ devices: 200, runId: 'night-2', seed: 2 });
    const labels = buildReportModel([a, b]).entries.map((entry) => entry.label);
    expect(labels).toContain('jitr · night-1');
    expect(labels).toContain('jitr · night-2');
    const page = renderHtmlReport([a, b]);
    const jitr = (run: typeof a) => run.scenarios.find((scenario) => scenario.summary.scenario === 'jitr')!;
    expect(page).toContain('<h2>Changes between runs</h2>');
    expect(page).toContain(
      `${Math.round(jitr(a).summary.timeToConnectedMs.p50)} ms → ${Math.round(jitr(b).summary.timeToConnectedMs.p50)} ms`,
    );
    expect(renderHtmlReport([a])).not.toContain('Changes between runs');
    expect(buildReportModel([a]).entries.map((entry) => entry.label)).toContain('jitr');
    expect(() => buildReportModel([])).toThrow(/at least one result/);
  });
});

describe('renderHtmlReport', () => {
  const run = syntheticRun({ devices: 1000, failureFraction: 0.02, seed: 9 });
  const html = renderHtmlReport([run]);

  it('is self-contained: chart.js inlined, no external URL, a CSP that forbids fetching', () => {
    expect(html).toContain('Content-Security-Policy');
    expect(html).toContain("default-src 'none'");
    expect(html).toMatch(/Chart\.js v4\.\d+\.\d+/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/sourceMappingURL/);
  });

  it('places a canvas for every chart spec and a spec for every canvas', () => {
    const charts = buildCharts(buildReportModel([run]));
    const canvases = [...html.matchAll(/<canvas id="([^"]+)"/g)].map((match) => match[1]);
    expect(canvases.sort()).toEqual(charts.map((chart) => chart.id).sort());
    expect(canvases).toContain('chart-errors-by-class');
    expect(canvases).toContain('chart-projection');
  });

  it('puts every summary figure in a table (readable without JavaScript)', () => {
    for (const scenario of run.scenarios) {
      expect(html).toContain(`<span class="pattern">${scenario.summary.scenario}</span>`);
      expect(html).toContain(`>${scenario.summary.devices.succeeded.toLocaleString('en-US')}</td>`);
      expect(html).toContain(`>${Math.round(scenario.summary.timeToConnectedMs.p50)} ms</td>`);
      expect(html).toContain(`>${scenario.projection.bottleneckApi ?? 'no quota applies'}<`);
    }
    expect(html).toContain('<noscript>');
  });

  it('escapes text from results (titles, error samples)', () => {
    expect(html).toContain('Krypton SIM bootstrap &lt;cellular&gt;');
    expect(html).toContain('&lt;generated&gt; &amp; &quot;quoted&quot;');
    expect(html).not.toContain('<cellular>');
    expect(html).not.toContain('<generated>');
  });

  it('says how much each pattern was throttled and paced, and says nothing when neither happened', () => {
    const run = syntheticRun({ devices: 200, failureFraction: 0 });
    const [first, ...rest] = run.scenarios;
    const throttled = {
      ...run,
      scenarios: [
        { ...first!, throttling: { retried: 1234, failed: 2, pacedAttempts: 180, pacedWaitMs: 41_250 } },
        ...rest,
      ],
    };
    const page = renderHtmlReport([throttled]);
    expect(page).toContain("Throttling (AWS IoT's TPS quotas)");
    expect(page).toContain(
      `<strong>${first!.summary.scenario}</strong>: throttled: 1,234 retried, 2 failed; 180 calls waited 41.3 s for their quota slot`,
    );
    expect(renderHtmlReport([run])).not.toContain('Throttling (AWS');
  });

  it('leaves out error charts when nothing failed', () => {
    const clean = renderHtmlReport([syntheticRun({ devices: 200, failureFraction: 0 })]);
    expect(clean).toContain('No device failed');
    expect(clean).not.toContain('chart-errors-by-class');
  });

  it('shows devices that never ran and does not crown a pattern that provisioned nothing', () => {
    const broken = syntheticRun({ devices: 300, seed: 3 });
    const jitr = broken.scenarios.find((scenario) => scenario.summary.scenario === 'jitr')!;
    jitr.summary.devices = { requested: 300, succeeded: 0, failed: 0 };
    jitr.apiCallsPerDevice = 0;
    const page = renderHtmlReport([broken]);
    expect(page).toContain('<th scope="col">Did not run</th>');
    expect(page).toMatch(/No device reached a working connection<\/span> with <strong>jitr<\/strong>/);
    expect(page).not.toMatch(/Fewest AWS IoT API calls per device: <strong>jitr/);
    expect(buildReportModel([broken]).entries.find((entry) => entry.scenario === 'jitr')).toMatchObject({
      notRun: 300,
      failureRate: 1,
    });
  });

  it('keeps a 100,000-device run with six patterns under 5 MB', () => {
    const big = syntheticRun({ devices: 100_000, ratePerSecond: 10, seed: 4 });
    expect(big.scenarios).toHaveLength(6);
    expect(big.scenarios[0]!.series.length).toBeGreaterThan(9_000);
    const bytes = Buffer.byteLength(renderHtmlReport([big]));
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
  });
});
