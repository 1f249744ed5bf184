/**
 * The one browser of an e2e test file: the system chromium, never a downloaded one, started
 * without anything that phones home.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

/** Starts /usr/bin/chromium headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Errors a page raised: uncaught exceptions and `console.error` calls. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  return errors;
}
