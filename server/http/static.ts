// Serves the built renderer (dist/renderer) from the same origin, with SPA fallback to index.html.
// When the folder is missing, `/` says how to build it instead of failing obscurely.
import { createReadStream, statSync, type Stats } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

function fileStat(p: string): Stats | null {
  try {
    const s = statSync(p);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

export const NOT_BUILT_MESSAGE =
  'DJP Workflow server is running, but the web UI is not built.\n' +
  'Build it with `npm run build` (it writes dist/renderer), or use the API under /api (see /openapi.json).\n';

export function createStaticHandler(staticDir: string | null | undefined) {
  const root = staticDir ? resolve(staticDir) : null;

  function send(req: IncomingMessage, res: ServerResponse, path: string, st: Stats, cache: string): void {
    const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    res.setHeader('etag', etag);
    res.setHeader('cache-control', cache);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', 'content-length': st.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(path).pipe(res);
  }

  /** Returns false when the request is not a GET/HEAD (the caller answers 405/404). */
  return function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const index = root ? join(root, 'index.html') : null;
    const indexStat = index ? fileStat(index) : null;
    if (!root || !index || !indexStat) {
      const body = NOT_BUILT_MESSAGE;
      res.writeHead(pathname === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      decoded = '/';
    }
    const candidate = normalize(join(root, decoded));
    if (decoded !== '/' && !decoded.includes('\0') && (candidate + sep).startsWith(root + sep) && candidate !== root) {
      const st = fileStat(candidate);
      if (st) {
        // Vite's hashed assets never change; everything else is revalidated.
        const cache = decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
        send(req, res, candidate, st, cache);
        return true;
      }
      // The renderer is built with relative asset URLs (base './'), so a deep link such as
      // /runs/ID asks for /runs/assets/x.js: serve it from /assets/ when that file exists.
      const at = decoded.indexOf('/assets/');
      if (at > 0) {
        const asset = normalize(join(root, decoded.slice(at)));
        const ast = (asset + sep).startsWith(root + sep) ? fileStat(asset) : null;
        if (ast) {
          send(req, res, asset, ast, 'public, max-age=31536000, immutable');
          return true;
        }
      }
      // A missing file with an extension is a real 404, not a client-side route.
      if (extname(decoded)) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('not found\n');
        return true;
      }
    }
    send(req, res, index, indexStat, 'no-cache');
    return true;
  };
}
