/**
 * `edumon run`, the composition root: opens the warehouse (the one read-write process), migrates
 * it, consumes the event topics into it, runs the timed jobs (rule sweeps: service/ruleSweeps.ts;
 * the digest and snapshot jobs) from the one scheduler (service/scheduler.ts), and serves read
 * queries, rule runs and alert actions on its API (service/api.ts; loopback unless service.host says otherwise, which needs
 * service.token) while it holds the file; and the officials' console (service/console/) beside it, whose users
 * `edumon users` changes through the API.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AlertsAnswer, AlertsRequest } from '../alerts/alertOps.ts';
import { type DigestAnswer, type DigestRequest, digestRequest } from '../alerts/digest/digestRequest.ts';
import type { IngestState } from '../alerts/feedWatermarks.ts';
import { sendingCheck } from '../alerts/notify/sendingCheck.ts';
import { clockOf } from '../core/clock.ts';
import { type Config, snapshotsDirOf } from '../core/config.ts';
import { connect, openWarehouse } from '../core/db.ts';
import { EdumonError } from '../core/errors.ts';
import { createKafka } from '../core/kafka.ts';
import { resolveLinkKey } from '../core/linkKey.ts';
import { lockDown } from '../core/lockDown.ts';
import type { Logger } from '../core/log.ts';
import type { Family } from '../domain/topics.ts';
import { createPseudonymizer, resolvePseudonymKey } from '../ingest/pseudonymize.ts';
import { type PipelineStats, startConsumer } from '../pipeline/consumer.ts';
import { sinkWriteFailpoint } from '../pipeline/failpoint.ts';
import { migrate } from '../pipeline/migrate.ts';
import { Sink } from '../pipeline/sink.ts';
import { createApi, type QueryPath } from './api.ts';
import { startCalendarJob } from './calendarJob.ts';
import { removeServiceFile, writeServiceFile } from './client.ts';
import { auditedUsersRequest, CLI_USER } from './console/auditedUsersRequest.ts';
import { startConsole } from './console/startConsole.ts';
import type { UsersAnswer, UsersRequest } from './console/userStore.ts';
import { startDigestJob } from './digestJob.ts';
import { readiness } from './health.ts';
import { startMailSender } from './mailSender.ts';
import { createMetrics, readWarehouseFigures, type WarehouseFigures } from './metrics.ts';
import { startRuleSweeps } from './ruleSweeps.ts';
import type { RulesAnswer, RulesRequest } from './rulesRequest.ts';
import { createScheduler } from './scheduler.ts';
import { startSnapshotJob } from './snapshotJob.ts';
import { sweepNotify } from './sweepNotify.ts';

export interface Service {
  stats: PipelineStats;
  /** Rejects if ingestion stops for good; the process should then exit non-zero. */
  failure: Promise<never>;
  waitUntilIdle(): Promise<void>;
  /** Runs rules (one or all, as of a moment) in turn with the scheduled sweeps, applying them and mailing what they open. */
  runRules(req: RulesRequest): Promise<RulesAnswer>;
  /** Answers a digest request (preview, or write a week's digests to the outbox) in turn with the digest job. */
  digest(req: DigestRequest): Promise<DigestAnswer>;
  /** Resolves once the mail sender has attempted every email due now. */
  mailIdle(): Promise<void>;
  /** Carries out an `edumon users` request, a change audited as user `cli` (the API's POST /users; `edumon demo`'s users). */
  users(req: UsersRequest): Promise<UsersAnswer>;
  /** The console's address as this host reaches it (http://127.0.0.1:<port>), or undefined when it is off. */
  consoleUrl: string | undefined;
  stop(): Promise<void>;
}

export async function startService(given: Config, log: Logger): Promise<Service> {
  let config = given;
  const instance = await openWarehouse(config.warehouse, { memoryLimit: config.warehouseMemoryLimit });
  const writeConn = await connect(instance);
  const report = await migrate(writeConn);
  if (report.applied.length) log.info('warehouse migrated', { applied: report.applied });
  // The wall clock, or a test's controlled one: when feeds' events arrive and what sweeps judge as of.
  const clock = clockOf(config.failpoints.clock);
  // The console first: its address is the base of the links every email composed from now on carries.
  // Its alert actions go through the rule runner, which starts below.
  let consoleAlerts = (_req: AlertsRequest): Promise<AlertsAnswer> => Promise.reject(new EdumonError('the service is still starting'));
  // Its SQL page runs on the API's read path, and its data-health page asks the consumer: both set below.
  let consoleQuery: QueryPath | undefined;
  const starting = () => Promise.reject(new EdumonError('the service is still starting'));
  let consoleIngest = (): Promise<IngestState | undefined> => Promise.resolve(undefined);
  let consoleBehind = (): number | undefined => undefined;
  // Until the rule runner starts, a version that never repeats: nothing is cached.
  let consoleAlertsVersion = (() => {
    let starting = 0;
    return () => --starting;
  })();
  const console_ = config.console.enabled
    ? await startConsole({
        instance,
        config,
        log,
        alerts: (req) => consoleAlerts(req),
        clock: () => new Date(clock()),
        linkKey: resolveLinkKey(config),
        query: { table: (...a) => consoleQuery?.table(...a) ?? starting(), file: (...a) => consoleQuery?.file(...a) ?? starting() },
        ingestState: () => consoleIngest(),
        ingestBehind: () => consoleBehind(),
        alertsVersion: () => consoleAlertsVersion(),
      })
    : undefined;
  if (console_) config = { ...config, console: { ...config.console, publicUrl: console_.publicUrl } };
  if (console_ && !given.console.publicUrl) {
    log.warn(
      "控制台未设置对外地址，邮件中的链接指向本机地址 / console.publicUrl is not set: email links point to the console as this host reaches it; set EDUMON_CONSOLE_PUBLIC_URL to the address officials' browsers use",
      { links: console_.publicUrl },
    );
  }
  // From here a failure must close the console again: its open port would keep the process up,
  // the warehouse locked and the signals unanswered (a broker unreachable at start, say).
  try {
    const sink = await Sink.open(writeConn, { failpoint: sinkWriteFailpoint(config.failpoints.sinkWrite), clock });
    const pseudonymize = createPseudonymizer(resolvePseudonymKey(config));
    // Alert emails carry links signed with the link key: a key file that cannot be read refuses the
    // start, rather than failing every sweep that has an email to compose (alerts/notify/consoleLinks.ts).
    if (config.console.enabled && config.console.publicUrl) resolveLinkKey(config);
    const kafka = createKafka(config, log);
    // Analyst queries share the instance's memory limit (DuckDB has no per-connection one): when an
    // ingest write fails (out of memory, say), the queries in progress are interrupted before it is
    // retried, so it is the query that fails, not ingestion.
    let interruptQueries = (_reason: string) => {};
    // Admission events committed in season start a sweep of their rules (set once the runner is up).
    let stored = (_family: Family) => {};
    // Scraped only once the API listens, after the consumer and the mail sender below exist.
    const ready = () => readiness({ consumer: consumer.health(), lag: consumer.lag(), mail: mail.health(), now: Date.now() }, config.health);
    // A scrape reads the open alerts, the outbox and the feeds on a connection of its own, one scrape at a time.
    const metricsConn = await connect(instance);
    let metricsTurn: Promise<unknown> = Promise.resolve();
    const warehouseFigures = (): Promise<WarehouseFigures> => {
      const run = metricsTurn.then(() => readWarehouseFigures(metricsConn, config, rules.ingestState(), clock()));
      metricsTurn = run.catch(() => undefined);
      return run;
    };
    const metrics = createMetrics({ lagByPartition: () => consumer.lagByPartition(), readiness: ready, warehouse: warehouseFigures, now: clock });
    const consumer = await startConsumer({
      config,
      kafka,
      sink,
      pseudonymize,
      log,
      onWriteRetry: () => interruptQueries('an ingest write failed and is retried: the warehouse needs its memory back'),
      onStored: (family) => stored(family),
      onCommitted: (r, ms) => metrics.committed(r, ms),
    });

    const readConn = await connect(instance);
    // Rules run on connections of their own, so a long one never holds the sink's or the API's; season
    // and daily rules on one each, so a long daily run never holds a season tick.
    const rulesConn = await connect(instance);
    const dailyRulesConn = await connect(instance);
    const scheduler = createScheduler(log);
    // The mail sender on a connection of its own: a slow SMTP server holds no sweep and no query.
    const mailConn = await connect(instance);
    const mail = startMailSender({ conn: mailConn, config, log });
    // The sending side is checked at start (From against login, TLS, EHLO, the login), in the
    // background: a server down or refusing must not hold ingestion, but the operator reads why now,
    // not at the first alert. Emails wait in the outbox meanwhile.
    if (config.notify.smtpUrl)
      void sendingCheck(config.notify).then(
        (c) => {
          for (const problem of c.problems) log.error('邮件发送端检查未通过 / the sending side of alert email has a problem', { problem });
        },
        (err: unknown) => log.error('邮件发送端检查失败 / cannot check the sending side of alert email', { error: String(err) }),
      );
    const notify = sweepNotify(config, () => mail.wake(), clock);
    if (!notify) log.warn('no contacts configured (notify.contacts, notify.dataTeam): alerts are not mailed');
    const rules = await startRuleSweeps({
      conn: rulesConn,
      dailyConn: dailyRulesConn,
      config,
      log,
      ingestLag: () => consumer.lag(),
      lagging: () => consumer.laggingPartitions(),
      clock,
      scheduler,
      ...(notify ? { notify } : {}),
    });
    stored = (family) => rules.stored(family);
    consoleAlerts = (req) => rules.alerts(req);
    consoleIngest = () => rules.ingestState();
    // Alerts are written by the rule runner's lanes and, DQ-NOTIFY-FAILED, by the mail sender: both
    // counters only grow, so their sum changes whenever either does.
    consoleAlertsVersion = () => rules.version() + mail.recorded();
    consoleBehind = () => consumer.lag();
    // DQ-CALENDAR-STALE at start and daily, written in turn with the sweeps; the notify round mails it.
    const calendar = startCalendarJob({ exclusive: rules.exclusive, config, log, clock, scheduler });
    // The weekly digest on a connection of its own: composing one never holds a sweep.
    const digestConn = await connect(instance);
    // The scheduled job and `edumon digest` requests take the connection in turn.
    let digestQueue: Promise<unknown> = Promise.resolve();
    const onDigestConn = <T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> => {
      const run = digestQueue.then(() => fn(digestConn));
      digestQueue = run.catch(() => undefined);
      return run;
    };
    const ingestBehind = async () => {
      await consumer.laggingPartitions(); // fetches the partitions' ends now
      return consumer.lag();
    };
    const digests =
      config.rules.schedule === 'on' ? startDigestJob({ onConn: onDigestConn, config, log, scheduler, wake: () => mail.wake(), ingestBehind }) : undefined;
    const digest = async (req: DigestRequest) => {
      const answer = await onDigestConn((c) => digestRequest(c, config, req, new Date()));
      if (answer.kind === 'sent' && answer.written) mail.wake();
      return answer;
    };
    // Analysts' snapshots on a connection of their own: an export never holds a sweep or a query.
    const snapshotConn = await connect(instance);
    const snapshots = startSnapshotJob({ conn: snapshotConn, config, log, scheduler });
    // `edumon users` on the console's writer, in turn with its sessions and audit rows. With the
    // console off, nothing else writes those tables: on a connection of its own (opened now, before
    // the lockdown below, after which none can be set up), one request at a time.
    const usersConn = console_ ? undefined : await connect(instance);
    let usersQueue: Promise<unknown> = Promise.resolve();
    const users = (req: UsersRequest): Promise<UsersAnswer> => {
      if (console_) return console_.users(req);
      const run = usersQueue.then(() => auditedUsersRequest(usersConn!, req, { user: CLI_USER, address: null }));
      usersQueue = run.catch(() => undefined);
      return run;
    };
    // Every connection is open and set up: lock the instance down before the first analyst query.
    // The sandbox is global, so it covers the writer and the rules too; neither reads a file but the warehouse.
    // Snapshots (`edumon export`) are the one place SQL may write.
    // The folder exists before the first query: a Parquet answer is written there (service/queryParquet.ts).
    mkdirSync(snapshotsDirOf(config), { recursive: true, mode: 0o700 }); // private, as the warehouse
    await lockDown(readConn, { writableDir: snapshotsDirOf(config) });
    // A configured token is the remote tools' way in; otherwise a random one only the service file carries.
    const token = config.service.token ?? randomBytes(24).toString('hex');
    const api = createApi({
      token,
      readConn,
      config,
      applyRules: rules.run,
      ingestState: () => rules.ingestState(),
      alerts: (req) => rules.alerts(req),
      retryMail: (filter) => mail.retry(filter),
      // On the digest connection, in turn: a preview or a send never runs beside another on it.
      exportSnapshot: () => snapshots.exportNow(),
      digest,
      users,
      readiness: ready,
      metrics: async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
    });
    const { server } = api;
    interruptQueries = api.interrupt;
    consoleQuery = api.query;
    const { host } = config.service;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.service.port, host, resolve);
    });
    const port = (server.address() as AddressInfo).port;
    writeServiceFile(config.warehouse, { pid: process.pid, port, token, host, ...(console_ ? { console: console_.localUrl } : {}) });
    log.info('pipeline running', { warehouse: config.warehouse, brokers: config.kafka.brokers.join(','), api: `${host}:${port}` });

    const started = Date.now();
    let lastStored = 0;
    const progress = setInterval(() => {
      const s = consumer.stats;
      if (s.stored === lastStored && s.rejected === 0) return;
      const m = process.memoryUsage();
      const mb = (n: number) => Math.round(n / 1048576);
      log.info('progress', {
        ...s,
        per_s: Math.round(((s.stored - lastStored) * 1000) / config.progressIntervalMs),
        behind: consumer.lag(),
        rss_mb: mb(m.rss),
        heap_mb: mb(m.heapUsed),
        external_mb: mb(m.external),
      });
      lastStored = s.stored;
    }, config.progressIntervalMs);
    progress.unref();

    let stopping: Promise<void> | undefined;
    return {
      stats: consumer.stats,
      failure: consumer.failure,
      waitUntilIdle: () => consumer.waitUntilIdle(),
      runRules: (req) => rules.run(req),
      digest,
      mailIdle: () => mail.idle(),
      users,
      consoleUrl: console_?.localUrl,
      stop() {
        stopping ??= (async () => {
          clearInterval(progress);
          // Queries first: a long one must not hold the read connection, or the stop, any longer.
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          api.interrupt('the service is stopping');
          await console_?.stop();
          await scheduler.stop();
          await calendar.stop();
          await rules.stop();
          await digests?.stop();
          await snapshots.stop();
          // After the sweeps (nothing wakes it any more), before the connections close: the email in
          // flight is sent and recorded.
          await mail.stop();
          await consumer.stop();
          server.closeAllConnections();
          await closed;
          removeServiceFile(config.warehouse);
          await writeConn.run('checkpoint').catch(() => undefined);
          readConn.closeSync();
          rulesConn.closeSync();
          dailyRulesConn.closeSync();
          mailConn.closeSync();
          metricsConn.closeSync();
          digestConn.closeSync();
          snapshotConn.closeSync();
          usersConn?.closeSync();
          writeConn.closeSync();
          instance.closeSync();
          log.info('pipeline stopped', { ...consumer.stats, seconds: Math.round((Date.now() - started) / 1000) });
        })();
        return stopping;
      },
    };
  } catch (err) {
    await console_?.stop().catch((e: unknown) => log.warn('console: not stopped cleanly', { error: String(e) }));
    throw err;
  }
}
