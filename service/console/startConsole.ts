/**
 * Starts the console (service/console/server.ts with every page) on console.host:console.port:
 * its connections, its sign-in, an hourly sweep of expired sessions. Resolves once it listens,
 * with its address; a port in use fails the start with that said.
 */
import type { AddressInfo } from 'node:net';
import type { DuckDBInstance } from '@duckdb/node-api';
import { createAdaptorServer } from '@hono/node-server';
import type { AlertsAnswer, AlertsRequest } from '../../alerts/alertOps.ts';
import type { Config } from '../../core/config.ts';
import { EdumonError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { auditedUsersRequest, CLI_USER } from './auditedUsersRequest.ts';
import { createAuth } from './auth.ts';
import { openConsoleDb } from './consoleDb.ts';
import { consolePages } from './pages/index.ts';
import { type ConsoleDeps, createConsoleApp } from './server.ts';
import type { UsersAnswer, UsersRequest } from './userStore.ts';

export interface RunningConsole {
  /** The console's address as this host reaches it: http://127.0.0.1:<port>. */
  localUrl: string;
  /** The base of email links: console.publicUrl, else localUrl. */
  publicUrl: string;
  /**
   * Carries out an `edumon users` request (the API's POST /users, `edumon demo`'s users) on the
   * console's writer connection, in turn with its sessions and audit rows; a change is audited as
   * user `cli` (auditedUsersRequest.ts).
   */
  users(req: UsersRequest): Promise<UsersAnswer>;
  stop(): Promise<void>;
}

/** Starts the console beside the service. `clock` is the service's (acknowledgements are dated with it). */
export async function startConsole(opts: {
  instance: DuckDBInstance;
  config: Config;
  log: Logger;
  alerts: (req: AlertsRequest) => Promise<AlertsAnswer>;
  clock: () => Date;
  linkKey: string;
  /** The SQL page's query path and the data-health page's view of ingestion (ConsoleDeps). */
  query?: ConsoleDeps['query'];
  ingestState?: ConsoleDeps['ingestState'];
  ingestBehind?: ConsoleDeps['ingestBehind'];
  alertsVersion?: ConsoleDeps['alertsVersion'];
}): Promise<RunningConsole> {
  const { config, log } = opts;
  const db = await openConsoleDb(opts.instance);
  const auth = createAuth(db, config.console);
  const secureCookies = config.console.publicUrl?.startsWith('https:') ?? false;
  const deps = { db, auth, config, log, alerts: opts.alerts, clock: opts.clock, linkKey: opts.linkKey, secureCookies };
  const app = createConsoleApp(
    { ...deps, query: opts.query, ingestState: opts.ingestState, ingestBehind: opts.ingestBehind, alertsVersion: opts.alertsVersion },
    consolePages,
  );
  const server = createAdaptorServer({ fetch: app.fetch });
  const { host, port } = config.console;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new EdumonError(
              `控制台端口 ${port} 已被占用 / the console's port ${port} on ${host} is in use: set EDUMON_CONSOLE_PORT (0 picks a free one) or EDUMON_CONSOLE_ENABLED=false`,
            )
          : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const localUrl = `http://${localHost}:${bound}`;
  const publicUrl = (config.console.publicUrl ?? localUrl).replace(/\/+$/, '');
  const sweep = setInterval(
    () => void auth.sweepExpired().catch((err: unknown) => log.warn('console: cannot remove expired sessions', { error: String(err) })),
    3_600_000,
  );
  sweep.unref();
  log.info('console running', { console: localUrl, publicUrl });
  return {
    localUrl,
    publicUrl,
    users: (req) => db.write((conn) => auditedUsersRequest(conn, req, { user: CLI_USER, address: null })),
    async stop() {
      clearInterval(sweep);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
      });
      db.close();
    },
  };
}
