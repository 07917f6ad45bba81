import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { judgeHistory } from '../../src/metrics/history-gate.js';
import { loadHistory } from '../../src/report/history-files.js';
import { renderTrendPage } from '../../src/report/trend-html.js';
import { buildTrendModel } from '../../src/report/trend-model.js';
import { launchChromium, watchPage } from '../support/chromium.js';
import { syntheticNights } from '../support/synthetic-history.js';
import { describeWithTool } from '../support/tools.js';

/** Under reports/ (ignored by git) so CI can keep the screenshot as an artifact. */
const OUT_DIR = resolve('reports/test-trend-browser');

/** The few browser APIs the in-page probe uses (the project compiles without the DOM lib). */
interface ProbeCanvas {
  id: string;
  width: number;
  height: number;
  closest(selector: string): { dataset: Record<string, string | undefined> } | null;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
interface ProbeChart {
  data: { datasets: { data: (number | null)[] }[] };
  getDatasetMeta(index: number): { data: unknown[] };
}
interface BrowserGlobals {
  document: { querySelectorAll(selector: string): Iterable<ProbeCanvas> };
  Chart: { getChart(canvas: ProbeCanvas): ProbeChart | undefined };
}

interface CanvasProbe {
  id: string;
  pattern: string;
  figure: string;
  paintedPixels: number;
  drawnElements: number;
  values: (number | null)[];
  flagged: (number | null)[];
}

describeWithTool('chromium', 'trend page in headless Chromium', () => {
  let browser: Browser;
  const page = join(OUT_DIR, 'trend.html');

  beforeAll(async () => {
    await rm(OUT_DIR, { recursive: true, force: true });
    const nights = syntheticNights({
      nights: 32,
      seed: 1,
      noise: 0.08,
      regressionNight: 24,
      regressionPattern: 'krypton',
      regressionFactor: 1.6,
    });
    for (const night of nights) {
      await mkdir(join(OUT_DIR, 'history', night.runId), { recursive: true });
      await writeFile(join(OUT_DIR, 'history', night.runId, 'result.json'), JSON.stringify(night));
    }
    const history = await loadHistory([join(OUT_DIR, 'history')]);
    const gate = { historySize: 10, maxRegressionPercent: 10 };
    await writeFile(
      page,
      renderTrendPage(buildTrendModel(history.runs, judgeHistory(history.runs, gate), gate)),
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart, flags the planted night, with no console error and no network', async () => {
    const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    const { externalRequests, consoleErrors } = await watchPage(tab);
    await tab.goto(pathToFileURL(page).href);
    await tab.waitForSelector('body[data-charts-drawn]', { timeout: 30_000 });
    const canvases: CanvasProbe[] = await tab.evaluate(() => {
      const browser = globalThis as unknown as BrowserGlobals;
      return [...browser.document.querySelectorAll('canvas')].map((canvas) => {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let paintedPixels = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) paintedPixels += 1;
        const chart = browser.Chart.getChart(canvas);
        return {
          id: canvas.id,
          pattern: canvas.closest('section')?.dataset.pattern ?? '',
          figure: canvas.closest('figure')?.dataset.figure ?? '',
          paintedPixels,
          drawnElements: chart
            ? chart.data.datasets.reduce((sum, _, index) => sum + chart.getDatasetMeta(index).data.length, 0)
            : 0,
          values: chart?.data.datasets[0]?.data ?? [],
          flagged: chart?.data.datasets[2]?.data ?? [],
        };
      });
    });
    const chartsDrawn = Number(await tab.getAttribute('body', 'data-charts-drawn'));
    const plantedRows = await tab
      .locator('tr[data-regression][data-run="night-25"][data-pattern="krypton"]')
      .count();
    const otherPlantedRows = await tab
      .locator('tr[data-regression][data-run="night-25"]:not([data-pattern="krypton"])')
      .count();
    await tab.screenshot({ path: join(OUT_DIR, 'trend.dark.png'), fullPage: true });
    await context.close();

    expect(externalRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
    // 6 patterns × 7 figures (data per device included: the nights carry traffic figures).
    expect(canvases.length).toBe(42);
    expect(chartsDrawn).toBe(canvases.length);
    for (const canvas of canvases) {
      expect(canvas.paintedPixels, `${canvas.id} has painted pixels`).toBeGreaterThan(1000);
      expect(canvas.drawnElements, `${canvas.id} draws its points`).toBeGreaterThanOrEqual(32 * 3);
      expect(canvas.values.filter((value) => value !== null)).toHaveLength(32);
    }
    const p50 = (pattern: string) =>
      canvases.find((canvas) => canvas.pattern === pattern && canvas.figure === 'time to connected p50')!;
    const krypton = p50('krypton');
    expect(krypton.flagged[24]).toBe(krypton.values[24]);
    expect(krypton.flagged[24]).toBeGreaterThan(1.4 * krypton.values[23]!);
    // From night 4 on (judged against a median), nothing else is flagged.
    for (const canvas of canvases) {
      canvas.flagged.forEach((value, index) => {
        if (index >= 3 && !(canvas.pattern === 'krypton' && index === 24)) {
          expect(value, `${canvas.id} point ${index}`).toBeNull();
        }
      });
    }
    expect(plantedRows).toBeGreaterThanOrEqual(3);
    expect(otherPlantedRows).toBe(0);
    expect((await readFile(join(OUT_DIR, 'trend.dark.png'))).subarray(1, 4).toString()).toBe('PNG');
  });
});
