/** The running service's loopback API, used by CLI commands while `edumon run` holds the warehouse. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EdumonError, messageOf } from '../core/errors.ts';
import type { AlertsAnswer, AlertsRequest } from '../alerts/alertOps.ts';
import { type RulesRequest, type RulesResult, runRulesRequest } from '../alerts/runRules.ts';
import type { Config } from '../core/config.ts';
import { readQuery } from './readQuery.ts';

type Handler = (body: Record<string, unknown>) => Promise<unknown>;

/**
 * Routes: POST /query {sql} -> {columns, rows}; POST /rules/run {rule?, at, dryRun?} -> {asOf, violations, runs}
 * (alert state changes only with dryRun: false); POST /alerts {action, ...} -> {columns, rows}.
 * More routes are registered by later stages.
 */
export function createApi(opts: {
  token: string;
  readConn: DuckDBConnection;
  config: Pick<Config, 'rules' | 'kafka'>;
  /** Runs rules and applies the result to the alerts (the service's rule runner); without it, every run is a dry run. */
  applyRules?: (req: RulesRequest) => Promise<RulesResult>;
  /** Carries out `edumon alerts` requests (list, ack, silence). */
  alerts?: (req: AlertsRequest) => Promise<AlertsAnswer>;
}): {
  server: Server;
  routes: Map<string, Handler>;
} {
  const routes = new Map<string, Handler>();
  // One reader connection: queries are serialised so a runaway one cannot starve ingestion.
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };
  routes.set('/query', (body) => serialised(() => readQuery(opts.readConn, String(body.sql ?? ''))));
  routes.set('/rules/run', (body) => {
    if (typeof body.at !== 'string') throw new EdumonError('rules/run: give `at`, the moment to evaluate as of', { exitCode: 2 });
    const rule = typeof body.rule === 'string' ? body.rule : undefined;
    const req: RulesRequest = { at: body.at, ...(rule ? { rule } : {}) };
    // Only an explicit `dryRun: false` changes alert state.
    if (body.dryRun === false && opts.applyRules) return opts.applyRules(req);
    return serialised(() => runRulesRequest(opts.readConn, opts.config, req));
  });
  const alerts = opts.alerts;
  if (alerts) routes.set('/alerts', (body) => alerts(body as unknown as AlertsRequest));
  const expected = Buffer.from(`Bearer ${opts.token}`);
  const server = createServer(async (req, res) => {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) return send(401, { error: 'bad token' });
    const handler = req.method === 'POST' ? routes.get(req.url ?? '') : undefined;
    if (!handler) return send(404, { error: `no route ${req.method} ${req.url}` });
    try {
      send(200, await handler(await readJson(req)));
    } catch (err) {
      const exitCode = err instanceof EdumonError ? err.exitCode : 1;
      send(err instanceof EdumonError ? 400 : 500, { error: messageOf(err), exitCode });
    }
  });
  return { server, routes };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    throw new EdumonError('request body is not JSON');
  }
}
