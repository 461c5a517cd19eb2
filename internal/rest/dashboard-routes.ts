import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type Response } from 'express';
import { GokvError } from '../errors/index.js';
import { ReplyMap, Simple, type Reply } from '../command/index.js';
import { binToBuffer, isValidUtf8 } from '../store/index.js';
import type { RestDeps } from './deps.js';
import { queryParamBytes } from './query-bytes.js';
import { replyToJson } from './reply-json.js';

/**
 * The page's files, beside this module: `npm run build` copies the folder next to the compiled
 * JavaScript (tsc copies no other files), so the same path works from source and from dist/.
 */
export const DASHBOARD_DIR = fileURLToPath(new URL('./dashboard/', import.meta.url));

/**
 * The page may load only its own files and talk only to this origin: no inline script, no
 * third-party anything, never framed. Styles set through the CSSOM (bar widths) are allowed.
 */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** Files the page needs; any other name under /dashboard/ is a 404 (no directory listing). */
const PAGE_FILES = new Set(['app.js', 'view.js', 'style.css']);

/**
 * The live dashboard: `GET /` (the page), `GET /dashboard/<file>` (its module and style),
 * `GET /v1/ring` (members, shares and vnodes of the ring this node routes with) and
 * `GET /v1/explain?key=...` (the EXPLAIN command: where a key lives, never its value).
 * `GET /v1/cluster` (in app.ts) carries the per-member figures. All of it is served by the same
 * app and listener as the REST API, so HTTPS and client-certificate rules are the same.
 */
export function addDashboardRoutes(app: Express, deps: RestDeps): void {
  const dashboard = deps.dashboard;
  const files = express.static(DASHBOARD_DIR, {
    index: false,
    dotfiles: 'ignore',
    fallthrough: true,
    cacheControl: false,
    setHeaders: (res) => res.set(PAGE_HEADERS),
  });

  app.get('/', (_req: Request, res: Response) => {
    if (!existsSync(`${DASHBOARD_DIR}index.html`)) {
      res.status(404).json({ error: 'ERR dashboard files not found next to the server code', code: 'ERR' });
      return;
    }
    res.set(PAGE_HEADERS).type('html').sendFile('index.html', { root: DASHBOARD_DIR, cacheControl: false });
  });

  app.use('/dashboard', (req: Request, res: Response, next) => {
    if (!PAGE_FILES.has(req.path.replace(/^\//, ''))) {
      next();
      return;
    }
    files(req, res, next);
  });

  app.get('/v1/ring', (_req: Request, res: Response) => {
    if (!dashboard) throw new GokvError('UNAVAILABLE', 'UNAVAILABLE this node does not serve the ring view');
    res.json(dashboard.ring());
  });

  app.get('/v1/explain', async (req: Request, res: Response) => {
    const keys = queryParamBytes(req.originalUrl, 'key');
    const key = keys[0];
    if (keys.length !== 1 || key === undefined || key === '') throw new GokvError('ERR', 'ERR the "key" query parameter is required (one, non-empty)');
    const reply = await deps.service.execute({ name: 'EXPLAIN', key, args: [] });
    res.json(replyToJson(withPrintableKey(reply, key), 'utf8').value);
  });
}

/**
 * EXPLAIN's reply with a key that is not UTF-8 shown as base64 (`keyEncoding` says so): the rest
 * of the reply stays text, where replyToJson would turn all of it to base64.
 */
function withPrintableKey(reply: Reply, key: string): Reply {
  if (!(reply instanceof ReplyMap) || isValidUtf8(key)) return reply;
  const entries = reply.entries.map(([field, value]): readonly [string, Reply] => (field === 'key' ? [field, new Simple(binToBuffer(key).toString('base64'))] : [field, value]));
  return new ReplyMap([...entries, ['keyEncoding', new Simple('base64')]]);
}
