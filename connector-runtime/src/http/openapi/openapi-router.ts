/**
 * `GET /openapi.json` (the document of `api-document.ts`) and `GET /docs`, an API reference page
 * rendered by Swagger UI (`swagger-ui-dist`, installed from npm). Everything the page loads comes
 * from this server: the renderer's files are served from node_modules under `/docs/assets/`, and
 * the page's Content-Security-Policy allows no other origin, so the page works offline and sends
 * nothing elsewhere (Swagger UI's online validator badge is switched off). URLs in the page are
 * relative, so the router may be mounted under a prefix. Mount it without authentication: the
 * document describes the API, it holds no tenant's data.
 */
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import express, { Router, type RequestHandler } from 'express';
import { buildOpenApiDocument } from './api-document';

/** The renderer's files the page uses; nothing else of the package is served. */
export const rendererAssets = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'] as const;

/** Where the page's assets are served, relative to the router's mount point. */
export const docsAssetsPath = '/docs/assets';

const initScriptName = 'docs-init.js';

// Served as a file rather than inline, so that the policy can forbid inline scripts.
const initScript = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Fulfillment Pack API</title>
    <link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png">
    <link rel="stylesheet" href="docs/assets/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="docs/assets/swagger-ui-bundle.js"></script>
    <script src="docs/assets/${initScriptName}"></script>
  </body>
</html>
`;

/** Only this server; Swagger UI sets inline styles and uses data: images in its stylesheet. */
export const docsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function rendererDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

const onlyRendererAssets: RequestHandler = (req, _res, next) => {
  // Anything but the listed files falls through to the app's 404.
  if ((rendererAssets as readonly string[]).includes(req.path.slice(1))) next();
  else next('router');
};

/** Builds the router; the document is built once, here. */
export function openApiRouter(): Router {
  const document = JSON.stringify(buildOpenApiDocument());
  const router = Router();

  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });

  router.get('/docs', (req, res) => {
    // Relative asset URLs resolve from /docs, not /docs/: send the trailing-slash form back.
    if (req.path.endsWith('/')) {
      res.redirect(301, '../docs');
      return;
    }
    res.set('Content-Security-Policy', docsContentSecurityPolicy).type('html').send(page);
  });

  router.get(`${docsAssetsPath}/${initScriptName}`, (_req, res) => {
    res.type('text/javascript').send(initScript);
  });

  const assets = Router();
  assets.use(onlyRendererAssets, express.static(rendererDirectory(), { index: false, redirect: false, maxAge: '1d' }));
  router.use(docsAssetsPath, assets);
  return router;
}
