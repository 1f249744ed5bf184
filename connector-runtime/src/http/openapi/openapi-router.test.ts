import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './api-document';
import { docsContentSecurityPolicy, openApiRouter } from './openapi-router';

let server: ReturnType<express.Express['listen']>;
let base: string;

beforeAll(async () => {
  server = express().use(openApiRouter()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The `src` and `href` values of a page. */
const assetUrls = (html: string): string[] => [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map(([, url]) => url!);

describe('openApiRouter', () => {
  it('given GET /openapi.json, then it answers the document as JSON', async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(buildOpenApiDocument());
  });

  it('given GET /docs, then it answers an HTML page whose assets are all relative, under a policy that allows only this server', async () => {
    const res = await fetch(`${base}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(docsContentSecurityPolicy);
    expect(docsContentSecurityPolicy).not.toMatch(/https?:|\*/);
    const html = await res.text();
    expect(html).toContain('<div id="swagger-ui">');
    const urls = assetUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) expect(url, url).toMatch(/^docs\/assets\/[\w.-]+$/);
    // No CDN, nor any other absolute or protocol-relative URL, anywhere in the page.
    expect(html).not.toMatch(/https?:\/\/|["'(]\/\//i);
  });

  it('given the page’s asset URLs, when each is fetched relative to the page, then the router serves it', async () => {
    const html = await (await fetch(`${base}/docs`)).text();
    for (const url of assetUrls(html)) {
      const res = await fetch(new URL(url, `${base}/docs`));
      expect(res.status, url).toBe(200);
      expect((await res.arrayBuffer()).byteLength, url).toBeGreaterThan(100);
    }
    const init = await (await fetch(`${base}/docs/assets/docs-init.js`)).text();
    expect(init).toContain("url: 'openapi.json'");
    expect(init).toContain('validatorUrl: null');
    expect(init).not.toMatch(/https?:\/\//);
  });

  it('given a file of the renderer package the page does not use, then it is not served', async () => {
    for (const file of ['index.html', 'swagger-initializer.js', 'package.json', '../package.json']) {
      expect((await fetch(`${base}/docs/assets/${file}`)).status, file).toBe(404);
    }
  });

  it('given GET /docs/, then it redirects to /docs so that the relative asset URLs resolve', async () => {
    const res = await fetch(`${base}/docs/`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(new URL(res.headers.get('location')!, `${base}/docs/`).pathname).toBe('/docs');
  });
});
