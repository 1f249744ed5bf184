/**
 * Node side of the form e2e test: bundles `pages/form-page.js` (form-js viewer) and opens it in the
 * file's browser with a typed handle on its API.
 */
import type { Browser, JSHandle, Page } from 'playwright-core';
import { bundlePage } from './bundle';
import { collectPageErrors } from './browser';
import { startStaticServer } from './static-server';

/** A rendered form field: shown or hidden, and the options it offers. */
export interface RenderedField {
  key: string;
  visible: boolean;
  /** Option labels, in order. */
  options: string[];
}

/** What `pages/form-page.js` exposes as `window.formPage`. */
export interface FormPageApi {
  renderForm(schema: unknown, data: Record<string, unknown>): Promise<{ warnings: string[] }>;
  /** Visible text blocks, and the fields by label. */
  inspectForm(): { texts: string[]; fields: Record<string, RenderedField> };
  /** Picks each option of a radio field in turn; the values the form data got. */
  pickEachOption(label: string, key: string): unknown[];
}

/** An open form page. */
export interface FormViewer {
  page: Page;
  viewer: JSHandle<FormPageApi>;
  errors: string[];
  close(): Promise<void>;
}

/** Bundles and opens the form page for `suite`. */
export async function openFormViewer(browser: Browser, suite: string): Promise<FormViewer> {
  const bundled = await bundlePage(suite, 'form-page');
  const server = await startStaticServer({ '/': bundled.dir });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectPageErrors(page);
  await page.goto(`${server.origin}/index.html`);
  const viewer = (await page.evaluateHandle('window.formPage')) as JSHandle<FormPageApi>;
  return {
    page,
    viewer,
    errors,
    async close() {
      await page.close();
      await server.close();
    },
  };
}
