import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../src/report/charts.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { renderMarkdownSummary } from '../../src/report/markdown.js';
import { buildReportModel } from '../../src/report/model.js';
import { syntheticRun } from '../support/synthetic-run.js';

function glanceOf(html: string): string {
  return html.slice(html.indexOf('<section id="glance">'), html.indexOf('<section id="summary">'));
}

describe('report under field conditions', () => {
  const lteM = syntheticRun({ devices: 400, seed: 4, runId: 'field-ltem', field: { profile: 'lte-m' } });
  const nbIot = syntheticRun({
    devices: 400,
    seed: 5,
    latencyFactor: 6,
    runId: 'field-nbiot',
    field: { profile: 'nb-iot', bytesScale: 1.3 },
  });

  it('names the network profile and the price table, and never calls a pattern fastest for its factory work', () => {
    const html = renderHtmlReport([lteM]);
    expect(html).toContain('Network profile: lte-m (rttMs 100)');
    expect(html).toContain('Prices: default (AWS us-east-1 list prices');
    const glance = glanceOf(html);
    expect(glance).not.toMatch(/Fastest to a working connection/);
    // byo-ca has the shortest field time here, and its factory time is put beside it.
    expect(glance).toMatch(
      /Shortest time in the field \(power-on to a working connection\) under <strong>lte-m<\/strong>: <strong>byo-ca<\/strong> \(median [^)]+\); its factory step takes \d+ ms per device beforehand/,
    );
    // Counting the factory, another pattern is quicker end to end.
    expect(glance).toMatch(
      /Shortest factory plus field \(medians added\) under <strong>lte-m<\/strong>: <strong>jitp<\/strong>/,
    );
    expect(glance).toMatch(
      /Least data per device under <strong>lte-m<\/strong>: <strong>[a-z-]+<\/strong> \(\d+\.\d KB/,
    );
    expect(glance).toMatch(
      /Lowest provisioning cost per device under <strong>lte-m<\/strong>: <strong>[a-z-]+<\/strong> \(\$/,
    );
  });

  it('shows data, factory time and cost per device in the summary and a cost breakdown with its sources', () => {
    const model = buildReportModel([lteM]);
    const byo = model.entries.find((entry) => entry.scenario === 'byo-ca')!;
    const jitr = model.entries.find((entry) => entry.scenario === 'jitr')!;
    expect(byo.factory?.p50).toBeGreaterThan(150);
    expect(jitr.factory).toBeNull();
    const scenario = lteM.scenarios.find((one) => one.summary.scenario === 'byo-ca')!;
    const traffic = scenario.traffic!.device;
    expect(byo.dataPerDeviceBytes).toBe(traffic.bytesSent.mean + traffic.bytesReceived.mean);
    expect(byo.cost?.perDevice).toBeGreaterThan(0);
    const html = renderHtmlReport([lteM]);
    const summary = html.slice(
      html.indexOf('<section id="summary">'),
      html.indexOf('</section>', html.indexOf('<section id="summary">')),
    );
    expect(summary).toContain('Data per device');
    expect(summary).toContain('Cost per device');
    expect(summary).toContain('Factory p50');
    expect(html).toContain('<section id="cost"><h2>Cost per pattern</h2>');
    expect(html).toContain('https://aws.amazon.com/iot-core/pricing/');
    expect(html).toContain('<code>bootstrapPerRequest</code>');
    expect(renderMarkdownSummary(lteM)).toContain('network profile **lte-m**');
  });

  it('puts each pattern under each profile side by side: a chart with one series per profile, and a data table', () => {
    const model = buildReportModel([lteM, nbIot]);
    expect(model.profiles).toEqual(['lte-m', 'nb-iot']);
    expect(model.entries.map((entry) => entry.label)).toContain('jitr · nb-iot');
    const chart = buildCharts(model).find((spec) => spec.id === 'chart-profiles')!;
    const labels = chart.config.data.datasets.map((dataset) => dataset.label);
    expect(labels).toEqual(['lte-m p50', 'lte-m p99', 'nb-iot p50', 'nb-iot p99']);
    const jitrIndex = (chart.config.data.labels as string[]).indexOf('jitr');
    const p50 = (series: number) => chart.config.data.datasets[series]?.data[jitrIndex] as number;
    expect(p50(2)).toBeGreaterThan(p50(0));
    const html = renderHtmlReport([lteM, nbIot]);
    expect(html).toContain('<section id="profiles"><h2>Patterns under each network profile</h2>');
    expect(html).toContain('<canvas id="chart-profiles"');
    // Each profile's glance compares only its own patterns.
    expect(glanceOf(html)).toContain('under <strong>nb-iot</strong>');
    expect(renderHtmlReport([lteM])).not.toContain('chart-profiles');
  });

  it('prices a result written before costs existed with the default table', () => {
    const old = syntheticRun({ devices: 100, seed: 6 });
    expect(old.pricing).toBeUndefined();
    const model = buildReportModel([old]);
    expect(model.runs[0]?.pricing?.name).toContain('default');
    const cell = model.entries[0]?.cost?.items.find((item) => item.item.startsWith('cellular'));
    expect(cell).toMatchObject({ basis: 'not measured', perDevice: null });
    expect(renderHtmlReport([old])).toContain('Network profile: not recorded (loopback)');
  });
});
