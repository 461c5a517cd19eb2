import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { isGokvError } from '../errors/index.js';
import { parseCompatCommand, parseEncoding, parseV1Command } from './command-request.js';
import { boundedJson } from './body-limit.js';
import type { RestCommand, RestDeps, RestOptions } from './deps.js';
import { errorAnswer } from './error-status.js';
import { clusterJson } from './cluster-json.js';
import { addDashboardRoutes } from './dashboard-routes.js';
import { loopbackHostGuard } from './host-guard.js';
import { sameOriginOnly } from './same-origin.js';
import { replyToGoJson, replyToJson, type RestEncoding } from './reply-json.js';

/** Response header saying which encoding a `POST /command` reply used. */
export const ENCODING_HEADER = 'Gokv-Encoding';

/**
 * The REST API as an express app; the caller listens (node/ binds it on addresses.rest_bind,
 * tests on port 0). Handlers are adapters: decode JSON, call the same CommandService as gRPC,
 * encode the reply. Client errors are 4xx `{error, code}`; see error-status.ts for the mapping.
 */
export function createApp(deps: RestDeps, options: RestOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (options.loopbackHostNames !== undefined) app.use(loopbackHostGuard(options.loopbackHostNames));
  const json = boundedJson(options.maxBodyBytes, options.maxArgs);

  const run = (command: RestCommand) => deps.service.execute(command);

  app.post('/v1/command', sameOriginOnly, json, async (req: Request, res: Response) => {
    const { command, encoding } = parseV1Command(req.body, options.maxArgs);
    const reply = replyToJson(await run(command), encoding);
    res.json({ result: reply.value, encoding: reply.encoding });
  });

  app.post('/command', sameOriginOnly, json, async (req: Request, res: Response) => {
    const requested: RestEncoding = parseEncoding(req.query.encoding, 'the "encoding" query parameter');
    const result = await run(parseCompatCommand(req.body, options.maxArgs));
    if (requested === 'base64') {
      res.set(ENCODING_HEADER, 'base64').json(replyToGoJson(result));
      return;
    }
    const reply = replyToJson(result, 'utf8');
    res.set(ENCODING_HEADER, reply.encoding).json(reply.value);
  });

  app.get('/v1/cluster', async (_req: Request, res: Response) => {
    const figures = await deps.dashboard?.figures();
    res.json(clusterJson(deps.service, deps.node(), deps.ready(), figures));
  });

  addDashboardRoutes(app, deps);

  app.get('/healthz', (_req: Request, res: Response) => {
    const ready = deps.ready();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable' });
  });

  app.get('/metrics', async (_req: Request, res: Response) => {
    const text = await deps.metrics.exposition();
    res.type(deps.metrics.contentType).send(text);
  });

  for (const [path, allow] of [
    ['/command', 'POST'],
    ['/v1/command', 'POST'],
    ['/v1/cluster', 'GET, HEAD'],
    ['/v1/ring', 'GET, HEAD'],
    ['/v1/explain', 'GET, HEAD'],
    ['/', 'GET, HEAD'],
    ['/healthz', 'GET, HEAD'],
    ['/metrics', 'GET, HEAD'],
  ] as const) {
    app.all(path, (_req: Request, res: Response) => {
      res.status(405).set('Allow', allow).json({ error: `ERR method not allowed (allowed: ${allow})`, code: 'ERR' });
    });
  }

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'ERR no such route (see POST /v1/command, GET /v1/cluster)', code: 'ERR' });
  });

  // Express needs all four parameters to treat this as the error handler.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const answer = errorAnswer(err);
    // Log the route and code only: never keys, values or the request body.
    const fields = { route: req.path, status: answer.status, code: answer.body.code };
    if (answer.status >= 500 && !isGokvError(err)) deps.log.error({ ...fields, err }, 'rest request failed');
    else deps.log.debug(fields, 'rest request refused');
    if (answer.status === 503) res.set('Retry-After', '1');
    res.status(answer.status).json(answer.body);
  });

  return app;
}
