/**
 * The page's static files, read once at start: the client script and styles from dashboard/public
 * and uPlot's dist files from its npm package (resolved as Node resolves it, so no copy is kept).
 * Each is served with an ETag (304 when unchanged) and gzipped when the client accepts it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';

interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

function asset(path: string): Asset {
  const body = readFileSync(path);
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return {
    body,
    gzip: gzipSync(body, { level: 9 }),
    type: TYPES[ext] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

export interface Assets {
  /** A hash of every asset: the `?v=` of their URLs. */
  version: string;
  serve(c: Context, name: string): Response;
}

/**
 * @example
 * const assets = loadAssets();
 * app.get('/dashboard/assets/:name', (c) => assets.serve(c, c.req.param('name')));
 */
export function loadAssets(): Assets {
  const require = createRequire(import.meta.url);
  const publicDir = new URL('../public/', import.meta.url);
  const files = new Map<string, Asset>([
    ['dashboard.js', asset(new URL('dashboard.js', publicDir).pathname)],
    ['views.js', asset(new URL('views.js', publicDir).pathname)],
    ['charts.js', asset(new URL('charts.js', publicDir).pathname)],
    ['dashboard.css', asset(new URL('dashboard.css', publicDir).pathname)],
    ['favicon.svg', asset(new URL('favicon.svg', publicDir).pathname)],
    ['uPlot.iife.min.js', asset(require.resolve('uplot/dist/uPlot.iife.min.js'))],
    ['uPlot.min.css', asset(require.resolve('uplot/dist/uPlot.min.css'))],
  ]);
  const version = createHash('sha256')
    .update([...files.values()].map((f) => f.etag).join())
    .digest('base64url')
    .slice(0, 10);
  return {
    version,
    serve(c, name) {
      const file = files.get(name);
      if (file === undefined) {
        return c.json({ error: { code: 'not_found', message: `The dashboard has no asset '${name}'; it serves ${[...files.keys()].join(', ')}.` } }, 404);
      }
      c.header('ETag', file.etag);
      c.header('Cache-Control', 'no-cache');
      c.header('Vary', 'Accept-Encoding');
      if (c.req.header('if-none-match') === file.etag) return c.body(null, 304);
      c.header('Content-Type', file.type);
      if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
        c.header('Content-Encoding', 'gzip');
        return c.body(new Uint8Array(file.gzip));
      }
      return c.body(new Uint8Array(file.body));
    },
  };
}
