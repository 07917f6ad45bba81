import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's headless Chromium, with everything that could reach the network off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface PageWatch {
  /** Every non-file URL the page asked for (each was refused). */
  externalRequests: string[];
  /** Console errors and uncaught page errors. */
  consoleErrors: string[];
}

/** Refuses and records every request that is not a local file, and records page errors. */
export async function watchPage(page: Page): Promise<PageWatch> {
  const watch: PageWatch = { externalRequests: [], consoleErrors: [] };
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    watch.externalRequests.push(url);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') watch.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => watch.consoleErrors.push(error.message));
  return watch;
}
