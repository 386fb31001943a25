/**
 * The running service's API, used by CLI commands while `edumon run` holds the warehouse, and by
 * analysts' tools (POST /query): on loopback, or on service.host behind its service.token.
 */

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { AlertsAnswer, AlertsRequest } from '../alerts/alertOps.ts';
import { ackOutcomes } from '../alerts/alertStore.ts';
import type { DigestAnswer, DigestRequest } from '../alerts/digest/digestRequest.ts';
import type { IngestState } from '../alerts/feedWatermarks.ts';
import { listOutbox, outboxStates, type RetryFilter } from '../alerts/notify/outbox.ts';
import { previewEmail } from '../alerts/notify/preview.ts';
import { listTold } from '../alerts/notify/toldList.ts';
import type { RulesResult } from '../alerts/runRules.ts';
import { type Config, snapshotsDirOf } from '../core/config.ts';
import { EdumonError, messageOf, UsageError } from '../core/errors.ts';
import type { UsersAnswer, UsersRequest } from './console/userStore.ts';
import type { Readiness } from './health.ts';
import { readQuery, streamQuery } from './query.ts';
import { type AnswerFormat, answerFormats, answerMedia, type ByteSink, errorLine, writeAnswer } from './queryAnswer.ts';
import { type RulesRequest, runRulesRequest } from './rulesRequest.ts';
import type { ExportAnswer } from './snapshotJob.ts';

/** Largest request body accepted: a query's text, a rule run or an alert action. */
const MAX_BODY_BYTES = 1024 * 1024;

const queryBody = z.strictObject({
  sql: z.string().trim().min(1, 'give the SQL to run'),
  /** json (the default): one {columns, columnTypes, rows} body (columnTypes: DuckDB type names); the others stream (service/queryAnswer.ts). */
  format: z.enum(['json', ...answerFormats]).optional(),
});
const rulesRunBody = z.strictObject({ at: z.string().min(1), rule: z.string().min(1).optional(), dryRun: z.boolean().optional() });
const alertsBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('list'), state: z.string().optional(), region: z.string().optional(), rule: z.string().optional() }),
  z.strictObject({ action: z.literal('ack'), id: z.string().min(1), note: z.string().optional(), outcome: z.enum(ackOutcomes).optional() }),
  z.strictObject({
    action: z.literal('silence'),
    rule: z.string().min(1),
    school: z.string().optional(),
    region: z.string().optional(),
    until: z.string().min(1),
    reason: z.string().min(1),
  }),
  z.strictObject({ action: z.literal('release'), rule: z.string().min(1) }),
]);
const notifyListBody = z.strictObject({ state: z.enum(outboxStates).optional(), alerts: z.boolean().optional() });
const notifyRetryBody = z.strictObject({
  state: z.enum(['failed', 'held']).optional(),
  contact: z.string().min(1).optional(),
  id: z.string().min(1).optional(),
});
const digestBody = z.strictObject({
  week: z.string().regex(/^\d{4}-W\d{2}$/, 'expected an ISO week such as 2025-W27'),
  region: z.string().optional(),
  language: z.enum(['zh-CN', 'en']).optional(),
  send: z.boolean().optional(),
});
const exportBody = z.strictObject({});
const notifyPreviewBody = z.strictObject({ alert: z.string().min(1), contact: z.string().min(1).optional(), at: z.string().min(1) });
const login = z.string().min(1).max(64);
const usersBody = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('add'),
    id: login,
    name: z.string().min(1).max(100),
    role: z.string().min(1),
    regions: z.array(z.string()).optional(),
    password: z.string().max(1000).optional(),
  }),
  z.strictObject({ action: z.literal('list') }),
  z.strictObject({ action: z.literal('passwd'), id: login, password: z.string().max(1000).optional() }),
  z.strictObject({ action: z.literal('disable'), id: login, enable: z.boolean().optional() }),
  z.strictObject({ action: z.literal('scope'), id: login, role: z.string().min(1), regions: z.array(z.string()).optional() }),
]);

/** The body each route accepts, for its callers (service/serviceOrWarehouse.ts) to be checked against. */
export interface RequestBodies {
  '/query': z.input<typeof queryBody>;
  '/rules/run': z.input<typeof rulesRunBody>;
  '/alerts': z.input<typeof alertsBody>;
  '/notify/list': z.input<typeof notifyListBody>;
  '/notify/preview': z.input<typeof notifyPreviewBody>;
  '/notify/retry': z.input<typeof notifyRetryBody>;
  '/digest': z.input<typeof digestBody>;
  '/export': z.input<typeof exportBody>;
  '/users': z.input<typeof usersBody>;
}

/** One route of the API: a request to `method path` carries a JSON body that `body` checks. */
export interface Route {
  method: 'POST';
  path: string;
  body: z.ZodType;
  /** Answers a raw body: checks it against `body` (a usage error naming every problem), then handles it. */
  handle(raw: unknown, signal: AbortSignal): Promise<unknown>;
}

/** A route whose handler receives its body as its schema parsed it, never as an unchecked cast. */
function route<S extends z.ZodType>(
  method: Route['method'],
  path: keyof RequestBodies,
  body: S,
  handle: (body: z.output<S>, signal: AbortSignal) => Promise<unknown>,
): Route {
  return { method, path, body, handle: (raw, signal) => handle(parseBody(path.slice(1), body, raw), signal) };
}

/** Validates a request body against its route's schema; a wrong shape is a 400 naming every problem. */
function parseBody<S extends z.ZodType>(route: string, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`);
  throw new UsageError(`${route}: bad request body: ${problems.join('; ')}`);
}

/**
 * POST /query's read path for another front end (the console's SQL page, service/console/pages/sql.ts):
 * the same connection, sandbox, checks (service/query.ts checkQuery), limits and refusals, in turn
 * with the API's own queries, and stopped with them (`interrupt`). Refusals reject with the
 * UsageError POST /query answers with.
 */
export interface QueryPath {
  /**
   * The first `keep` rows of the answer of `sql` (JSON values, TIMESTAMPTZ as Asia/Shanghai text),
   * its columns and their DuckDB types, and how many rows it has in all (`total`, at most
   * config.query.maxRows: past it the query is refused as POST /query refuses it).
   */
  table(sql: string, keep: number, signal?: AbortSignal): Promise<{ columns: string[]; columnTypes: string[]; rows: unknown[][]; total: number }>;
  /** Writes the answer of `sql` to `out` as CSV or Parquet, as POST /query with that format does (service/queryAnswer.ts writeAnswer). */
  file(sql: string, format: 'csv' | 'parquet', out: ByteSink, signal?: AbortSignal): Promise<{ rows: number; bytes: number }>;
}

/**
 * Routes: POST /query {sql, format?} -> {columns, columnTypes, rows}, or with format ndjson, csv or parquet the answer
 * streamed as that file (see sendStreamed for how a stream cut short shows); POST /rules/run {rule?, at, dryRun?} -> {asOf, violations, runs}
 * (alert state changes only with dryRun: false); POST /alerts {action, ...} -> {columns, rows};
 * POST /notify/list {state?, alerts?} -> {columns, rows} (the outbox, or with alerts who was told of each alert);
 * POST /notify/retry {state?, contact?, id?} -> {queued: ids} (failed or held emails queued again); POST /notify/preview {alert, contact?, at} -> the
 * email one alert makes (alerts/notify/preview.ts), nothing written; POST /digest {week, region?, language?, send?}
 * -> a digest preview or what sending wrote (alerts/digest/digestRequest.ts); POST /export {} -> the snapshot
 * written (service/snapshotJob.ts); POST /users {action, ...} -> {columns, rows} (service/console/userStore.ts; a
 * password is in the body only when the CLI read it from its stdin, and in the answer only when generated);
 * GET /healthz -> {status, pid, uptimeSeconds} (the process answers), GET /readyz -> 200 or 503 with
 * {ready, checks} (service/health.ts) and GET /metrics -> the Prometheus text format (service/metrics.ts),
 * all three without the token from this host's loopback.
 * Every body is checked by its zod schema (400 with the problems); each request gets exactly one
 * answer, and no handler error can end the process. `interrupt` stops the queries in progress.
 */
export function createApi(opts: {
  token: string;
  readConn: DuckDBConnection;
  config: Config;
  /** Runs rules and applies the result to the alerts (the service's rule runner); without it, every run is a dry run. */
  applyRules?: (req: RulesRequest) => Promise<RulesResult>;
  /** What is known of ingestion now: a dry run on a warehouse holding everything published judges as asked (service/rulesRequest.ts). */
  ingestState?: () => Promise<IngestState | undefined>;
  /** Answers `edumon digest` (preview or send, on the service's digest connection); without it, there is no /digest route. */
  digest?: (req: DigestRequest) => Promise<DigestAnswer>;
  /** Exports an analysts' snapshot (`edumon export`, service/snapshotJob.ts); without it, there is no /export route. */
  exportSnapshot?: () => Promise<ExportAnswer>;
  /** Queues failed or held emails again (`edumon notify retry`, the mail sender's retry); without it, there is no /notify/retry route. */
  retryMail?: (filter: RetryFilter) => Promise<string[]>;
  /** Carries out `edumon alerts` requests (list, ack, silence); without it, there is no /alerts route. */
  alerts?: (req: AlertsRequest) => Promise<AlertsAnswer>;
  /** Carries out `edumon users` requests (add, list, passwd, disable, scope), audited as `cli`; without it, there is no /users route. */
  users?: (req: UsersRequest) => Promise<UsersAnswer>;
  /** Judges GET /readyz (service/health.ts); without it, /readyz answers 503 "starting". */
  readiness?: () => Readiness;
  /** GET /metrics's text and media type (service/metrics.ts); without it, /metrics answers 404. */
  metrics?: () => Promise<{ contentType: string; text: string }>;
}): {
  server: Server;
  routes: readonly Route[];
  /** Interrupts every request running on the read connection; each fails with `reason`. */
  interrupt(reason: string): void;
  /** POST /query's read path, for the console. */
  query: QueryPath;
} {
  const running = new Set<AbortController>();
  // One reader connection: queries are serialised (and time-limited) so one cannot starve the others for long.
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(() => {
      if (signal.aborted) throw new UsageError(`stopped: ${String(signal.reason)}`);
      return fn();
    });
    queue = run.catch(() => undefined);
    return run;
  };
  /** Writes the answer of `sql` as a file in `format`. */
  const answerFile = (sql: string, format: AnswerFormat, out: ByteSink, signal: AbortSignal) => {
    // The query holds the read connection in turn with the others; a finished Parquet file is sent after.
    const whileQuerying = <T>(fn: () => Promise<T>) => serialised(signal, fn);
    return writeAnswer(opts.readConn, sql, format, { ...opts.config.query, signal }, out, { parquetDir: snapshotsDirOf(opts.config), whileQuerying });
  };
  /** Runs `work` as a request of its own: `interrupt` stops it, as it stops the API's requests. */
  const asRequest = async <T>(signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    running.add(controller);
    try {
      return await work(controller.signal);
    } finally {
      running.delete(controller);
      signal?.removeEventListener('abort', onAbort);
    }
  };
  const query: QueryPath = {
    table: (sql, keep, signal) =>
      asRequest(signal, (s) =>
        serialised(s, async () => {
          const rows: unknown[][] = [];
          const done = await streamQuery(opts.readConn, sql, { ...opts.config.query, signal: s }, (_columns, chunk) => {
            for (const row of chunk) if (rows.length < keep) rows.push(row);
          });
          return { columns: done.columns, columnTypes: done.columnTypes, rows, total: done.rowCount };
        }),
      ),
    file: (sql, format, out, signal) => asRequest(signal, (s) => answerFile(sql, format, out, s)),
  };
  const { alerts, applyRules } = opts;
  const routes: Route[] = [
    route('POST', '/query', queryBody, async ({ sql, format }, signal) => {
      if (format === undefined || format === 'json') return serialised(signal, () => readQuery(opts.readConn, sql, { ...opts.config.query, signal }));
      return new Streamed(format, (out) => answerFile(sql, format, out, signal));
    }),
    route('POST', '/rules/run', rulesRunBody, async ({ at, rule, dryRun }, signal) => {
      const req: RulesRequest = { at, ...(rule ? { rule } : {}) };
      // Only an explicit `dryRun: false` changes alert state.
      if (dryRun === false && applyRules) return applyRules(req);
      const ingest = await opts.ingestState?.();
      return serialised(signal, () => runRulesRequest(opts.readConn, opts.config, req, signal, ingest));
    }),
    // Typed so that what alertsBody parses is an AlertsRequest: the body needs no cast.
    ...(alerts ? [route('POST', '/alerts', alertsBody, alerts)] : []),
    ...(opts.digest ? [route('POST', '/digest', digestBody, opts.digest)] : []),
    ...(opts.exportSnapshot ? [route('POST', '/export', exportBody, opts.exportSnapshot)] : []),
    ...(opts.users ? [route('POST', '/users', usersBody, opts.users)] : []),
    route('POST', '/notify/list', notifyListBody, ({ state, alerts: byAlert }, signal) =>
      serialised(signal, () => (byAlert ? listTold(opts.readConn, opts.config.notify, new Date()) : listOutbox(opts.readConn, state))),
    ),
    ...(opts.retryMail ? [route('POST', '/notify/retry', notifyRetryBody, async (filter) => ({ queued: await opts.retryMail!(filter) }))] : []),
    route('POST', '/notify/preview', notifyPreviewBody, ({ alert, contact, at }, signal) =>
      serialised(signal, () => previewEmail(opts.readConn, opts.config, alert, new Date(at), contact)),
    ),
  ];
  const expected = Buffer.from(`Bearer ${opts.token}`);
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => answer(res, 500, { error: messageOf(err), exitCode: 1 }));
  });
  // A malformed request line or header: drop the socket, never the process.
  server.on('clientError', (_err, socket) => socket.destroy());

  const started = Date.now();
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = Buffer.from(req.headers.authorization ?? '');
    const tokenOk = auth.length === expected.length && timingSafeEqual(auth, expected);
    // Probes may send HEAD, or a query string (a cache buster): the path alone decides.
    const path = (req.url ?? '').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && (path === '/healthz' || path === '/readyz' || path === '/metrics')) {
      // Probes on this host (a container's HEALTHCHECK, a local Prometheus) need no token; from elsewhere they do.
      if (!tokenOk && !isLoopback(req.socket.remoteAddress)) return answer(res, 401, { error: 'bad token' });
      if (path === '/healthz') return answer(res, 200, { status: 'ok', pid: process.pid, uptimeSeconds: Math.round((Date.now() - started) / 1000) });
      if (path === '/metrics') {
        if (!opts.metrics) return answer(res, 404, { error: 'no route GET /metrics' });
        const { contentType, text } = await opts.metrics();
        res.writeHead(200, { 'content-type': contentType });
        res.end(text);
        return;
      }
      const ready = opts.readiness?.() ?? { ready: false, checks: { service: { ok: false, detail: 'starting' } } };
      return answer(res, ready.ready ? 200 : 503, ready);
    }
    if (!tokenOk) return answer(res, 401, { error: 'bad token' });
    const handler = routes.find((r) => r.method === req.method && r.path === req.url);
    if (!handler) return answer(res, 404, { error: `no route ${req.method} ${req.url}` });
    const controller = new AbortController();
    // The client gave up (or its connection broke) before the answer: stop its query.
    res.once('close', () => {
      if (!res.writableFinished) controller.abort('the client went away');
    });
    running.add(controller);
    try {
      const value = await handler.handle(await readJson(req), controller.signal);
      if (value instanceof Streamed) await sendStreamed(res, value);
      else answer(res, 200, value);
    } catch (err) {
      const exitCode = err instanceof EdumonError ? err.exitCode : 1;
      answer(res, err instanceof EdumonError ? 400 : 500, { error: messageOf(err), exitCode });
    } finally {
      running.delete(controller);
    }
  }

  return {
    server,
    routes,
    interrupt(reason) {
      for (const c of running) c.abort(reason);
    },
    query,
  };
}

/** Whether a peer address is this host's loopback (127.0.0.0/8, ::1, or either mapped into IPv6). */
function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d+\.\d+\.\d+$/.test(v4);
}

/** An answer sent as a file in `format` as `write` produces it, rather than as one JSON body. */
class Streamed {
  constructor(
    readonly format: AnswerFormat,
    readonly write: (out: ByteSink) => Promise<{ rows: number; bytes: number }>,
  ) {}
}

/**
 * Sends a streamed answer: status and headers (Content-Type, Content-Disposition) with its first
 * bytes, so a query refused or stopped before any is still a 400 JSON error; chunked, written as
 * produced, waiting on a slow client. A complete answer ends with the trailer `X-Edumon-Rows: N`.
 * One cut short after its first bytes (a limit passed, a stop) gets an error line (queryAnswer.ts
 * errorLine) and then the connection is closed without the final chunk (RFC 9112 section 7.1):
 * every HTTP client reports the transfer as failed (curl exit 18, requests ChunkedEncodingError,
 * fetch "terminated"), never as a whole file.
 */
async function sendStreamed(res: ServerResponse, s: Streamed): Promise<void> {
  const { contentType, extension } = answerMedia[s.format];
  const head = () => {
    if (res.headersSent) return;
    res.writeHead(200, {
      'content-type': contentType,
      'content-disposition': `attachment; filename="edumon-query.${extension}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      trailer: 'X-Edumon-Rows',
    });
  };
  const out: ByteSink = {
    write(chunk) {
      head();
      if (res.destroyed) return Promise.reject(new UsageError('query: stopped: the client went away'));
      if (res.write(chunk)) return Promise.resolve();
      return new Promise((resolve) => {
        const go = () => {
          res.off('drain', go);
          res.off('close', go);
          resolve();
        };
        res.on('drain', go);
        res.on('close', go);
      });
    },
  };
  let done: { rows: number };
  try {
    done = await s.write(out);
  } catch (err) {
    if (!res.headersSent) throw err;
    const cut = () => {
      res.destroy();
    };
    const line = errorLine(s.format, messageOf(err));
    if (!line || res.destroyed) return cut();
    res.write(line, cut);
    // A client that reads nothing never takes the line: close anyway.
    setTimeout(cut, 1000).unref();
    return;
  }
  head();
  res.addTrailers({ 'X-Edumon-Rows': String(done.rows) });
  res.end();
}

/** Sends one JSON answer; a second answer, or one to a client already gone, is dropped. */
function answer(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent || res.destroyed) return;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    status = 500;
    text = JSON.stringify({ error: `cannot encode the answer: ${messageOf(err)}`, exitCode: 1 });
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const chunk = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new UsageError(`request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new UsageError('request body is not JSON');
  }
}
