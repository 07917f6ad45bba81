import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/report/html.js';
import { writeRunReports } from '../../src/report/write.js';
import { launchChromium, watchPage } from '../support/chromium.js';
import { syntheticRun } from '../support/synthetic-run.js';
import { describeWithTool } from '../support/tools.js';

/** Reports land under reports/ (ignored by git) so CI can keep the screenshots as artifacts. */
const OUT_DIR = resolve('reports/test-report-browser');

/** The few browser APIs the in-page probes use (the project compiles without the DOM lib). */
interface ProbeCanvas {
  id: string;
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
interface ProbeChart {
  data: { datasets: unknown[] };
  getDatasetMeta(index: number): { data: unknown[] };
}
interface BrowserGlobals {
  document: { querySelectorAll(selector: string): Iterable<ProbeCanvas> };
  Chart: { getChart(canvas: ProbeCanvas): ProbeChart | undefined };
  DOMParser: new () => {
    parseFromString(text: string, type: string): { getElementsByTagName(name: string): { length: number } };
  };
}

interface PageVisit {
  externalRequests: string[];
  consoleErrors: string[];
  screenshot: string;
  canvases: { id: string; paintedPixels: number; drawnElements: number }[];
  chartsDrawn: number;
}

async function visit(browser: Browser, htmlFile: string, colorScheme: 'light' | 'dark'): Promise<PageVisit> {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
  const page: Page = await context.newPage();
  const { externalRequests, consoleErrors } = await watchPage(page);
  await page.goto(pathToFileURL(htmlFile).href);
  await page.waitForSelector('body[data-charts-drawn]', { timeout: 20_000 });
  const canvases = await page.evaluate(() => {
    const browser = globalThis as unknown as BrowserGlobals;
    return [...browser.document.querySelectorAll('canvas')].map((canvas) => {
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let paintedPixels = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) paintedPixels += 1;
      const chart = browser.Chart.getChart(canvas);
      const drawnElements = chart
        ? chart.data.datasets.reduce<number>(
            (sum, _, index) => sum + chart.getDatasetMeta(index).data.length,
            0,
          )
        : 0;
      return { id: canvas.id, paintedPixels, drawnElements };
    });
  });
  const chartsDrawn = Number(await page.getAttribute('body', 'data-charts-drawn'));
  const screenshot = htmlFile.replace(/\.html$/, `.${colorScheme}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  await context.close();
  return { externalRequests, consoleErrors, screenshot, canvases, chartsDrawn };
}

describeWithTool('chromium', 'HTML report in headless Chromium', () => {
  let browser: Browser;
  const runDir = join(OUT_DIR, 'run');
  const comparisonFile = join(OUT_DIR, 'comparison.html');

  beforeAll(async () => {
    await rm(OUT_DIR, { recursive: true, force: true });
    await mkdir(OUT_DIR, { recursive: true });
    const run = syntheticRun({
      devices: 1500,
      failureFraction: 0.02,
      seed: 31,
      runId: 'synthetic-night-1',
      field: { profile: 'lte-m' },
    });
    const slower = syntheticRun({
      devices: 1500,
      failureFraction: 0.03,
      latencyFactor: 1.4,
      seed: 32,
      runId: 'synthetic-night-2',
      field: { profile: 'nb-iot', bytesScale: 1.2 },
    });
    await writeRunReports(run, runDir);
    await writeFile(comparisonFile, renderHtmlReport([run, slower]));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['run report, light', 'run', 'light'],
    ['comparison, dark', 'comparison', 'dark'],
  ] as const)('%s: every chart drawn, no console errors, no network', async (_title, which, scheme) => {
    const file = which === 'run' ? join(runDir, 'index.html') : comparisonFile;
    const result = await visit(browser, file, scheme);
    expect(result.externalRequests).toEqual([]);
    expect(result.consoleErrors).toEqual([]);
    expect(result.canvases.length).toBeGreaterThanOrEqual(8);
    expect(result.chartsDrawn).toBe(result.canvases.length);
    for (const canvas of result.canvases) {
      expect(canvas.paintedPixels, `${canvas.id} has painted pixels`).toBeGreaterThan(1000);
      expect(canvas.drawnElements, `${canvas.id} draws its data`).toBeGreaterThan(0);
    }
    expect((await readFile(result.screenshot)).subarray(1, 4).toString()).toBe('PNG');
    // The comparison of two network profiles draws each pattern under each profile.
    const profiles = result.canvases.find((canvas) => canvas.id === 'chart-profiles');
    if (which === 'comparison') expect(profiles?.drawnElements).toBe(6 * 4);
    else expect(profiles).toBeUndefined();
  });

  it('reads without JavaScript, and the JUnit file is well-formed XML', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(runDir, 'index.html')).href);
    const summary = await page.locator('#summary table').textContent();
    expect(summary).toContain('pre-issued');
    expect(summary).toMatch(/\d+ ms/);
    expect(await page.locator('noscript').count()).toBe(1);
    const junit = await readFile(join(runDir, 'junit.xml'), 'utf8');
    const parsed = await page.evaluate((xml) => {
      const browser = globalThis as unknown as BrowserGlobals;
      const doc = new browser.DOMParser().parseFromString(xml, 'application/xml');
      return {
        errors: doc.getElementsByTagName('parsererror').length,
        suites: doc.getElementsByTagName('testsuite').length,
      };
    }, junit);
    await context.close();
    expect(parsed).toEqual({ errors: 0, suites: 6 });
  });
});
