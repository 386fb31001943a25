/**
 * The one configuration schema: a JSON config file (optional) overlaid by EDUMON_* environment
 * variables, parsed once at start-up. No other module reads process.env. Every problem is
 * listed at once, naming the variable or the file key.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { CLOCK_SPEC } from './clock.ts';
import { UsageError } from './errors.ts';
import { checkAddress, parseMailbox } from './mailAddress.ts';
import { minutesOfClock, muteWindowEnd } from './muteWindowEnd.ts';
import { CITY_CODE, regionOf } from './regions.ts';

const brokerList = z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1, 'expected at least one broker');

const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected MM-DD');
const memorySize = z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'expected a size such as 256MB');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** Shortest service token accepted: 32 characters, e.g. `openssl rand -hex 16`. */
const MIN_TOKEN_CHARS = 32;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour, Asia/Shanghai)');
const severity = z.enum(['info', 'warning', 'critical']);

/** An email address as RFC 5321/6531 allow (core/mailAddress.ts), its domain made punycode: `jyj@教育局.中国` becomes `jyj@xn--…`. */
const emailAddress = z.string().transform((text, ctx) => {
  const checked = checkAddress(text);
  if (checked.ok) return checked.address;
  ctx.addIssue({ code: 'custom', message: `not an email address: ${checked.reason}` });
  return z.NEVER;
});

/** One person or mailbox that receives alert emails. `id` names it in the outbox and in DQ-NOTIFY-FAILED, never the address. */
const contactSchema = z.object({
  /** A short id (lower-case letters, digits, . _ -): one id is one mailbox wherever the contact is listed. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a short id: lower-case letters, digits, . _ -'),
  /** The name emails are addressed to. */
  name: z.string().min(1),
  /** The address (RFC 5321/6531; an internationalized domain is sent as punycode). */
  email: emailAddress,
  /** The least severe alert this contact receives: info < warning < critical. */
  minSeverity: severity.default('info'),
  /** The language of the emails this contact receives. */
  language: z.enum(['zh-CN', 'en']).default('zh-CN'),
});
export type Contact = z.infer<typeof contactSchema>;

/** An escalation contact: receives alerts of `region` (the city, by default: every region) left unacknowledged too long. */
const escalationSchema = contactSchema.extend({
  /** The region code whose alerts this contact receives when left unacknowledged; the city's (410800): every region's, and the data-health alerts. */
  region: z.string().default(CITY_CODE),
});

/** The `notify` section of the configuration (configSchema.notify says what it is for). */
const notifySchema = z
  .object({
    /**
     * The SMTP server: smtps://host:465 (TLS from the start) or smtp://host:587 (STARTTLS when
     * offered; required when a login is set, see smtpAllowInsecureAuth). Unset: the outbox fills but nothing is sent.
     */
    smtpUrl: z.url({ protocol: /^smtps?$/, error: 'expected smtp://host:port or smtps://host:port' }).optional(),
    /** The SMTP login; at QQ, 163, 126, 腾讯企业邮 and Aliyun it must be the From's address. */
    smtpUser: z.string().min(1).optional(),
    /** Its password: at QQ, 163 and 126 the mailbox's authorization code (授权码), not the web password. A secret: never logged. */
    smtpPass: z.string().min(1).optional(),
    /** Refuse a server without TLS even without a login (STARTTLS required on smtp://). */
    smtpRequireTls: z.boolean().default(false),
    /**
     * Send the login on a connection without TLS (smtp:// to a server that offers no STARTTLS).
     * Off: with a login, STARTTLS is required and the password never travels in clear (a man in
     * the middle can strip STARTTLS from a server's greeting); turn on only for a relay on this machine.
     */
    smtpAllowInsecureAuth: z.boolean().default(false),
    /** Check the server's certificate (turn off only for a test server with a self-signed one). */
    smtpVerifyCertificate: z.boolean().default(true),
    /** Connection and greeting timeout of one SMTP attempt, and the longest wait for the reply to any command but the final dot. */
    smtpTimeoutMs: z.number().int().min(100).default(30_000),
    /** The longest wait for the reply to the final dot (the server stores and scans the message first): RFC 5321 4.5.3.2.6, 10 minutes. */
    smtpDataTimeoutMs: z.number().int().min(100).default(600_000),
    /** Emails sent at once, each on a connection of its own: one waiting for its reply never holds the others. */
    smtpMaxConnections: z.number().int().min(1).max(20).default(3),
    /** An email whose final dot got no reply this many times is held (the server may store every copy) and DQ-NOTIFY-FAILED raised. */
    maxUnknownAttempts: z.number().int().min(1).default(2),
    /** The From: `Display Name <address>` or an address; the name is sent whole (parentheses included). */
    from: z
      .string()
      .superRefine((text, ctx) => {
        try {
          parseMailbox(text);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `expected 'Display Name <address>' or an address: ${(err as Error).message}` });
        }
      })
      .default('焦作市教育监测 <edumon@localhost>'),
    /** The right-hand side of every Message-ID (`<id@domain>`). */
    messageIdDomain: z
      .string()
      .regex(/^[a-z0-9.-]+$/i, 'expected a domain name')
      .default('edumon.localhost'),
    /**
     * The contacts of each region, by region code (410800 for the city): an alert goes to its own
     * region's contacts and the city's, and each contact listed under a region receives that
     * region's weekly digest (the city's shows every region).
     */
    contacts: z.record(z.string(), z.array(contactSchema)).default({}),
    /** Who receives an alert left unacknowledged escalateAfterDays, each for one region (`region`, the city by default: every region). */
    escalation: z.array(escalationSchema).default([]),
    /** Who receives the data-health alerts (DQ-*, which have no region). */
    dataTeam: z.array(contactSchema).default([]),
    /** An open alert nobody acknowledged is mailed again after this many hours. */
    renotifyHours: z.number().positive().default(24),
    /** ... and goes to the escalation contacts after this many days. */
    escalateAfterDays: z.number().positive().default(3),
    /** An alert reopening more often than this in 24 hours is mailed once a day with its count. */
    flapMaxReopensPerDay: z.number().int().min(1).default(3),
    /** Alerts listed in one email's body at most (fewer when more would pass Gmail's 102 KB clip); the rest are in its CSV attachment. */
    maxAlertsInBody: z.number().int().min(1).max(500).default(50),
    /** Quiet hours, Asia/Shanghai, e.g. [{ "from": "22:00", "to": "07:00" }]: notices wait until their end. */
    muteWindows: z.array(z.object({ from: clockTime, to: clockTime })).default([]),
    /** Hold notices on the official holidays of the Chinese calendar (not on 调休 make-up workdays). */
    muteHolidays: z.boolean().default(true),
    /** Dated corrections of the holiday calendar: a day off or a make-up workday the package does not know. */
    calendarOverrides: z.array(z.object({ date: isoDate, kind: z.enum(['holiday', 'workday']), name: z.string().optional() })).default([]),
    /** Backoff of a retried send (4xx, transport error, unknown outcome): doubling from retryInitialMs up to retryMaxMs. */
    retryInitialMs: z.number().int().min(10).default(5_000),
    /** The longest wait between two attempts at a send (the backoff stops doubling there); at least retryInitialMs. */
    retryMaxMs: z.number().int().min(10).default(600_000),
    /** A notification still not accepted after this many hours is marked failed (DQ-NOTIFY-FAILED). */
    giveUpAfterHours: z.number().positive().default(48),
  })
  .strict();

/** What the calendar expects of one feed (feeds.payroll, funds, registry, enrollment); `maxQuietDays`: its default. */
const feedExpectations = (maxQuietDays: number | null) =>
  z
    .object({
      /** Days the feed may go without an event; beyond, it is stale (DQ-STALE-FEED) and holds its rules. null: never stale. */
      maxQuietDays: z.number().positive().nullable().default(maxQuietDays),
      /** The feed's own allowed lateness in minutes (null: feeds.allowedLatenessMinutes). */
      allowedLatenessMinutes: z.number().min(0).nullable().default(null),
    })
    .prefault({});

export const configSchema = z.object({
  /** The kind of installation: production requires pseudonymKey; only test accepts failpoints. */
  env: z.enum(['dev', 'test', 'production']).default('dev'),
  /** The DuckDB warehouse file (its folder is created); the key files and the service file are kept beside it. */
  warehouse: z.string().min(1).default('data/edumon.duckdb'),
  /** DuckDB's memory limit (its buffer pool and indexes), e.g. '256MB' or '2GB'. */
  warehouseMemoryLimit: memorySize.default('256MB'),
  /** How often `edumon run` logs its progress. */
  progressIntervalMs: z.number().int().min(100).default(10_000),
  /** HMAC key for student/staff pseudonyms, a secret (never logged). Required in production; dev/test keep one beside the warehouse. */
  pseudonymKey: z.string().min(16, 'expected at least 16 characters').optional(),
  /** The Kafka cluster the events come from, and how the warehouse's consumer reads it. */
  kafka: z
    .object({
      /** The brokers to connect to, `host:port` each (the variable: comma-separated). */
      brokers: brokerList.default(['127.0.0.1:9092']),
      /** The client id edumon's Kafka connections give the brokers (a command adds its own suffix, e.g. `-ingest`). */
      clientId: z.string().min(1).default('edumon'),
      /** The consumer group `edumon run` reads the event topics in. */
      groupId: z.string().min(1).default('edumon-warehouse'),
      /** Prefix of the topic names: `<prefix>registry`, `admission`, `enrollment`, `funding` and `dlq`. */
      topicPrefix: z.string().default('edu.'),
      /** Partitions of the topics edumon creates when they are missing. */
      partitions: z.number().int().min(1).max(256).default(4),
      /** Most bytes one fetch takes from one partition (and four times this from all of them). */
      maxBytesPerPartition: z
        .number()
        .int()
        .min(65536)
        .default(1024 * 1024),
      /** Most events one warehouse transaction takes (and most that wait for one). */
      commitMaxEvents: z.number().int().min(1000).default(25_000),
      /** Partition batches decoded at once; they are written together (group commit). */
      partitionsConsumedConcurrently: z.number().int().min(1).max(64).default(16),
      /** How long a consumer that died without leaving holds its partitions (broker minimum 6000). */
      sessionTimeoutMs: z.number().int().min(6000).max(300_000).default(30_000),
      /**
       * Further attempts at a warehouse write that failed for a reason other than its data (out of
       * memory, disk), with a backoff doubling from writeRetryBackoffMs; then ingestion stops, with
       * nothing written past the failed batch.
       */
      writeRetries: z.number().int().min(0).max(20).default(5),
      /** The wait before the first further attempt at a failed warehouse write, in ms; it doubles at each next one. */
      writeRetryBackoffMs: z.number().int().min(1).default(1000),
      /**
       * How long the DLQ topic keeps rejected messages, which are the originals with raw student and
       * staff ids: a privacy choice, long enough to fix and replay them (`edumon dlq`), never forever.
       */
      dlqRetentionDays: z.number().positive().max(3650).default(14),
    })
    .prefault({}),
  /** Logging: one line per record on stderr, never an event's content. */
  log: z
    .object({
      /** The least severe record written. */
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      /** `text` for people, `json` for collectors. */
      format: z.enum(['text', 'json']).default('text'),
    })
    .prefault({}),
  /** The running service's API (`edumon run`), which the CLI's commands use while it runs. */
  service: z
    .object({
      /** Port of the running service's API; 0 picks a free one. */
      port: z.number().int().min(0).max(65535).default(0),
      /** Address the API listens on: loopback by default; any other (0.0.0.0, a LAN address) needs `token`. */
      host: z.string().min(1).default('127.0.0.1'),
      /**
       * The API's bearer token, a secret (never logged or echoed); unset, each run makes a random one
       * that only the service file (mode 0600) carries, for the local CLI.
       */
      token: z.string().min(MIN_TOKEN_CHARS, `服务令牌至少 ${MIN_TOKEN_CHARS} 个字符 / expected at least ${MIN_TOKEN_CHARS} characters`).optional(),
    })
    .prefault({}),
  /** What the API's GET /readyz calls not ready (service/health.ts); GET /healthz only says the process answers. */
  health: z
    .object({
      /** The broker counts as unreachable once it has not answered the once-a-second check of the partitions' ends for this long. */
      brokerSilentSeconds: z.number().int().min(2).default(15),
      /** Not ready while ingestion is more than this many events behind the topics (catching up a backlog). */
      maxIngestLag: z.number().int().min(0).default(50_000),
      /** The mail sender counts as stuck once an email due has waited this long unsent (a server down or refusing), or the sender has not looked at the outbox for this long. */
      mailStuckMinutes: z.number().positive().default(30),
    })
    .prefault({}),
  /**
   * The officials' web console (service/console/), served by `edumon run` beside the API: users,
   * sessions and the audit trail live in the warehouse, out of analysts' reach.
   */
  console: z
    .object({
      /** Port of the console; 0 picks a free one (the service file names it). Off: `enabled: false`. */
      port: z.number().int().min(0).max(65535).default(8780),
      /** Address the console listens on: loopback by default; officials on the intranet need 0.0.0.0 or a LAN address. */
      host: z.string().min(1).default('127.0.0.1'),
      /** Whether `edumon run` serves the console (`edumon users` works either way). */
      enabled: z.boolean().default(true),
      /**
       * The console's address as officials' browsers reach it (`https://edumon.jyj.jiaozuo.gov.cn`): the
       * base of every link in an email. Unset: emails carry no links (the address the console listens
       * on, loopback by default, would lead a reader nowhere). An https address also marks session
       * cookies Secure.
       */
      publicUrl: z.url({ protocol: /^https?$/, error: 'expected http(s)://host[:port][/path]' }).optional(),
      /**
       * The key signing email links (HMAC-SHA256), a secret of its own (never logged; not the pseudonym
       * key, not the service token). Unset: one kept beside the warehouse (`<warehouse>.link-key`, mode 0600).
       */
      linkKey: z.string().min(32, 'expected at least 32 characters').optional(),
      /** How long an email's acknowledge link works, in days. */
      linkTtlDays: z.number().positive().max(90).default(7),
      /** A session unused this long ends (minutes). */
      sessionIdleMinutes: z.number().int().min(1).default(120),
      /** A session ends this long after login, used or not (hours). */
      sessionMaxHours: z.number().int().min(1).default(12),
      /** Wrong passwords in a row that lock an account, and for how long (minutes). */
      lockAfterFailures: z.number().int().min(1).default(5),
      /** How long a locked account (and a refused address) stays locked, in minutes. */
      lockMinutes: z.number().int().min(1).default(15),
      /** Wrong passwords from one address within lockMinutes that refuse its further logins for lockMinutes. */
      addressMaxFailures: z.number().int().min(1).default(20),
    })
    .prefault({}),
  /** Pictures: the font of the digest's charts, and the browser the screenshot tools use. */
  render: z
    .object({
      /**
       * The Noto Sans CJK font file the digest's trend charts draw Chinese with (null: the first of
       * the paths Linux distributions install it at, alerts/digest/trendChart.ts).
       */
      cjkFont: z.string().min(1).nullable().default(null),
      /** The Chromium the screenshot tools show emails and the console in (tools/renderInBrowser.ts). */
      chromium: z.string().min(1).default('/usr/bin/chromium'),
    })
    .prefault({}),
  /**
   * Analysts' snapshots (`edumon export`, and the service on `schedule`): the warehouse's tables
   * and views as Parquet, one folder per snapshot under `dir`, the last `keep` kept. `dir` is the
   * one folder the service's sandbox lets SQL write (core/lockDown.ts).
   */
  snapshots: z
    .object({
      /** Where snapshots go; default: a `snapshots` folder beside the warehouse file. */
      dir: z.string().min(1).optional(),
      /** How many complete snapshots are kept; an export removes the oldest beyond it. */
      keep: z.number().int().min(1).max(1000).default(7),
      /** When the service exports one: a node-cron expression read in Asia/Shanghai (default 03:00 every day), or 'off'. */
      schedule: z
        .string()
        .refine((v) => v === 'off' || cron.validate(v), "expected a cron expression read in Asia/Shanghai (e.g. '0 0 3 * * *': 03:00 every day) or 'off'")
        .default('0 0 3 * * *'),
    })
    .prefault({}),
  /** Bounds on one analyst query (`edumon query`, POST /query), on every path. */
  query: z
    .object({
      /** Longest one query may run; then its connection is interrupted and the query fails. */
      timeoutMs: z.number().int().min(100).default(30_000),
      /** Most rows a query may return. */
      maxRows: z.number().int().min(1).default(100_000),
      /** Most bytes of result a query may return (as JSON text; a Parquet answer: its file), 64 MiB by default. */
      maxResultBytes: z
        .number()
        .int()
        .min(1024)
        .default(64 * 1024 * 1024),
      /**
       * DuckDB's memory limit when `edumon query` opens a stopped warehouse. In the service the
       * instance's limit (warehouseMemoryLimit) is shared: there a query is interrupted as soon as
       * an ingest write fails, before the write is retried.
       */
      memoryLimit: memorySize.default('256MB'),
    })
    .prefault({}),
  /**
   * The feeds (domain/contract.ts feedOf): how late an event may still arrive after a later one of
   * its feed was stored, and how long each feed may normally be quiet before DQ-STALE-FEED (null:
   * the calendar expects nothing of it, never stale; admission's bound is rules.staleFeedMinutes,
   * inside the admission season only).
   */
  feeds: z
    .object({
      /** Minutes subtracted from a feed's progress to give its watermark (README: rules), for a feed that sets none of its own. */
      allowedLatenessMinutes: z.number().min(0).default(10),
      /**
       * The admission platform publishes each plan, admission and cancellation as it happens, in
       * order per partition (docs/contract.md): it is complete up to its latest stored event, so
       * the admission rules judge an admission seconds after it is stored, not minutes (issue 12).
       * A platform that batches or resends late should set its lateness here.
       */
      admission: z
        .object({
          /** The admission platform's allowed lateness in minutes (null: feeds.allowedLatenessMinutes). */
          allowedLatenessMinutes: z.number().min(0).nullable().default(0),
        })
        .prefault({}),
      /** Wages and insurance are paid monthly: over 35 days without one is a stopped feed. */
      payroll: feedExpectations(35),
      /** Funds are disbursed quarterly: over 100 days without one is a stopped feed. */
      funds: feedExpectations(100),
      /** School, staff and township versions come when something changes; population yearly: no expectation. */
      registry: feedExpectations(null),
      /** Enrollments cluster at term starts and may pause for months: no expectation. */
      enrollment: feedExpectations(null),
    })
    .prefault({}),
  /** Rule thresholds and the admission season; defaults are the plans' numbers (docs/rules.md). */
  rules: z
    .object({
      /** Admission season, MM-DD in Asia/Shanghai, inclusive. */
      seasonStart: monthDay.default('06-15'),
      /** Its last day, MM-DD, inclusive (before seasonStart: the season runs over the new year). */
      seasonEnd: monthDay.default('08-31'),
      /** Admission types ADM-CROSS-REGION skips. */
      exemptAdmissionTypes: z
        .array(
          z
            .string()
            .min(1)
            .regex(/^[^,]+$/, 'no commas'),
        )
        .default([]),
      /** ADM-OFF-PLATFORM: days a grade-1 enrollment at a high or vocational school may stand without a platform admission. */
      offPlatformGraceDays: z.number().int().min(0).default(3),
      /** ADM-CLASS-SIZE: most students in a grade-1 high-school class (县中 17: 55). */
      maxClassSize: z.number().int().min(1).default(55),
      /** ADM-SCHOOL-SIZE: most students in a new high school (县中 17: 3000). */
      maxSchoolSize: z.number().int().min(1).default(3000),
      /** ADM-SCHOOL-SIZE: a high school opened in this year or later counts as new. */
      schoolSizeOpenedFrom: z.number().int().min(1900).default(2022),
      /** Day of the next month by which a month's wage and insurance are due. */
      wageDueDay: z.number().int().min(1).max(28).default(10),
      /** WAGE-SHORT: yuan a month's wage may fall short of the agreed wage unreported. */
      wageToleranceYuan: z.number().min(0).default(1),
      /** STAFF-POACHED: days after leaving a county high school within which joining an urban one counts. */
      poachWindowDays: z.number().int().min(1).default(180),
      /** KG-GER: the target gross enrollment rate of the three preschool years, percent (学前 一: 97). */
      kgGerMinPercent: z.number().min(0).max(200).default(97),
      /** KG-PUHUI: the target share of kindergarten children in public or puhui kindergartens, percent (学前 一: 90). */
      kgPuhuiMinPercent: z.number().min(0).max(100).default(90),
      /** KG-PUBLIC-SHARE: the target share of kindergarten children in public kindergartens, percent (学前 一: 50). */
      kgPublicShareMinPercent: z.number().min(0).max(100).default(50),
      /** HS-GER: the target gross enrollment rate of the high-school stage, percent (县中 二: 95). */
      hsGerMinPercent: z.number().min(0).max(200).default(95),
      /** KG-TEACHER-RATIO: most children per full-time teacher in a public kindergarten (学前 6: 15). */
      kgChildrenPerTeacher: z.number().positive().default(15),
      /** KG-TOWNSHIP-CENTRAL: the population from which a township needs two public central kindergartens, not one (学前 1: 30,000). */
      townshipLargePopulation: z.number().int().min(1).default(30_000),
      /** KG-FACILITY: the least outdoor play area per child, m² (学前 3: 4). */
      kgOutdoorM2PerChild: z.number().min(0).default(4),
      /** KG-FACILITY: the least activity-room floor area per child, m² (学前 3: 8.17). */
      kgActivityM2PerChild: z.number().min(0).default(8.17),
      /** KG-FACILITY: the least building floor area per child, m² (学前 3: 10.44). */
      kgBuildingM2PerChild: z.number().min(0).default(10.44),
      /** KG-NEW-PUBLIC-PLACES: new public kindergarten places due from newPublicPlacesFrom to newPublicPlacesBy (学前 2: 10,000), expected on a straight line. */
      newPublicPlacesTarget: z.number().int().min(0).default(10_000),
      /** KG-NEW-PUBLIC-PLACES: the start date; the places of kindergartens built in its year or later count. */
      newPublicPlacesFrom: isoDate.default('2022-01-01'),
      /** KG-NEW-PUBLIC-PLACES: the date by which the target is due. */
      newPublicPlacesBy: isoDate.default('2025-12-31'),
      /** HS-FUNDS: the least public funds per high-school student per year, yuan, due pro rata by quarter (县中 18: 1000). */
      hsFundsPerStudentYuan: z.number().min(0).default(1000),
      /** HS-TUITION: the most a high school's yearly tuition may be of its yearly cost per student, percent (县中 18: 25). */
      hsTuitionMaxPercent: z.number().min(0).max(100).default(25),
      /** HS-TEACHERS: students per full-time teacher of the national staffing standard (12.5). */
      hsStudentsPerTeacher: z.number().positive().default(12.5),
      /** HS-TEACHERS: the factor on that standard for course selection (县中 13: at least 10 % more, 1.1). */
      hsTeacherUplift: z.number().positive().default(1.1),
      /** DQ-STALE-FEED: minutes the admission feed may go without an event inside the admission season. */
      staleFeedMinutes: z.number().int().min(1).default(30),
      /** `edumon run` schedules the rules (season / daily cadence); 'off' for tests that drive them by hand. */
      schedule: z.enum(['on', 'off']).default('on'),
      /**
       * How often the scheduler ticks, in seconds (a divisor of 60, so ticks fall on the same
       * seconds of every minute): season rules run this often inside the admission season, the
       * daily sweep and the notification round check as often.
       */
      seasonTickSeconds: z
        .number()
        .int()
        .min(1)
        .max(60)
        .refine((n) => 60 % n === 0, 'must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)')
        .default(10),
      /** Longest one rule may run before its connection is interrupted and DQ-RULE-FAILED raised. */
      timeoutMs: z.number().int().min(100).default(60_000),
      /**
       * Scheduled sweeps wait while ingestion is more than this many events behind the topics:
       * catching up a backlog, the warehouse is incomplete (staff before their payments) and the
       * rules would raise alerts that vanish minutes later, while slowing the catch-up.
       */
      maxIngestLag: z.number().int().min(0).default(50_000),
      /**
       * The storm valve (DQ-ALERT-STORM): a run that would open more than stormMaxOpens alerts of
       * one rule, making up more than stormMaxShare of the violations it found, holds them back
       * until its next run confirms them or an operator releases them (`edumon alerts release`).
       * Both bounds must be passed: 300 true admissions of a first sweep open, 300,000 wage gaps
       * of an incomplete payroll feed are held.
       */
      stormMaxOpens: z.number().int().min(0).default(1000),
      /** The storm valve's share (0 to 1) of the violations a run found that its new alerts must exceed as well. */
      stormMaxShare: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  /**
   * Who is told of alerts, and how (issue 12; README: notifications). Contacts per region code
   * (a county's or district's, or the city's 410800): a violation goes to its region's contacts and
   * the city's, never another region's. Escalation contacts receive what stays unacknowledged
   * escalateAfterDays; the data team receives the data-health alerts (DQ-*, no region).
   */
  notify: notifySchema.prefault({}),
  /** The weekly indicator digest (issue 13; alerts/digest/). */
  digest: z
    .object({
      /**
       * A figure is reported as worse this week when it moved this far the wrong way since last
       * week: percentage points for rates (kgGer, hsFunds ...), children per teacher for the
       * teacher ratio; any increase of a count that should be 0 (oversize classes, wage gaps) is
       * worse whatever this says. A figure newly short of its target is reported regardless.
       */
      worseThresholdPoints: z.number().min(0).default(1),
      /**
       * The city's digest lists each rule whose precision as officials judged it (issue 23,
       * alerts/ruleQuality.ts: confirmed + fixed over all judged, 0 to 1) over the 28 days to the
       * week's end fell below this. 0.7 by default: issue 23's figure; no plan sets one.
       */
      judgedPrecisionFloor: z.number().min(0).max(1).default(0.7),
      /** ...and only with at least this many judged alerts in those 28 days: two false alarms of three say little. */
      judgedMinimum: z.number().int().min(1).default(5),
    })
    .strict()
    .prefault({}),
  /** Fault injection, for tests only (refused unless env is test). */
  failpoints: z
    .object({
      /** `after=N[,times=M]`: the warehouse writes after the first N fail, M of them (default: all), as a full disk would. */
      sinkWrite: z
        .string()
        .regex(/^after=\d+(,times=\d+)?$/, 'expected after=N or after=N,times=M')
        .optional(),
      /** `after=N`: an export kills its process (SIGKILL) once N files of a snapshot are written. */
      exportCrash: z
        .string()
        .regex(/^after=\d+$/, 'expected after=N')
        .optional(),
      /** `ms=N`: every daily sweep holds its write transaction N ms before committing, as a long apply would. */
      dailySweepDelay: z
        .string()
        .regex(/^ms=\d+$/, 'expected ms=N')
        .optional(),
      /**
       * `at=<time>[,rate=N][,jumps=<file>]`: the service's clock starts at that moment and runs N
       * times as fast (core/clock.ts): sweeps, feed arrivals and quiet feeds follow it, as a day
       * would pass; a moment written into the jumps file moves it forward to that moment.
       */
      clock: z.string().regex(CLOCK_SPEC, 'expected at=<time>[,rate=N][,jumps=<file>]').optional(),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;

type Env = Record<string, string | undefined>;

/**
 * The notify section's checks across fields, on the raw input so they are listed together with
 * every other problem (zod runs refinements only on input that already parsed): region codes
 * that are not Jiaozuo's, one contact id for two addresses, mute windows that are empty or cover
 * the whole day, a backoff that shrinks.
 */
function notifyProblems(raw: unknown): Array<{ path: (string | number)[]; message: string }> {
  const out: Array<{ path: (string | number)[]; message: string }> = [];
  if (typeof raw !== 'object' || raw === null) return out;
  const n = raw as Record<string, unknown>;
  const list = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.filter((c) => typeof c === 'object' && c !== null) : []);
  const contacts = typeof n.contacts === 'object' && n.contacts !== null ? (n.contacts as Record<string, unknown>) : {};
  for (const code of Object.keys(contacts))
    if (!regionOf(code))
      out.push({ path: ['notify', 'contacts', code], message: 'not a Jiaozuo region code (410800 for the city, or a district’s or county’s)' });
  for (const [i, c] of list(n.escalation).entries())
    if (c.region !== undefined && !regionOf(String(c.region))) out.push({ path: ['notify', 'escalation', i, 'region'], message: 'not a Jiaozuo region code' });
  // One id, one mailbox: a contact may be listed under several regions (or teams), always with the same address.
  const seen = new Map<string, { email: unknown; at: string }>();
  const check = (c: Record<string, unknown>, path: (string | number)[]) => {
    if (typeof c.id !== 'string') return;
    const first = seen.get(c.id);
    if (first && first.email !== c.email) out.push({ path, message: `contact id '${c.id}' is already used at ${first.at} for another address` });
    else if (!first) seen.set(c.id, { email: c.email, at: path.join('.') });
  };
  for (const [code, cs] of Object.entries(contacts)) for (const [i, c] of list(cs).entries()) check(c, ['notify', 'contacts', code, i, 'id']);
  for (const [i, c] of list(n.escalation).entries()) check(c, ['notify', 'escalation', i, 'id']);
  for (const [i, c] of list(n.dataTeam).entries()) check(c, ['notify', 'dataTeam', i, 'id']);
  for (const [i, w] of list(n.muteWindows).entries())
    if (typeof w.from === 'string' && w.from === w.to)
      out.push({ path: ['notify', 'muteWindows', i], message: 'from and to are the same time: an empty window' });
  // Windows that together cover every minute of the day would hold every notice forever.
  const clock = (v: unknown) => (typeof v === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? minutesOfClock(v) : null);
  const windows = list(n.muteWindows).flatMap((w) => {
    const [from, to] = [clock(w.from), clock(w.to)];
    return from === null || to === null || from === to ? [] : [{ from, to }];
  });
  const muted = (m: number) => windows.some((w) => muteWindowEnd(w, m) !== null);
  if (windows.length > 0 && Array.from({ length: 1440 }, (_, m) => m).every(muted))
    out.push({ path: ['notify', 'muteWindows'], message: 'the windows cover the whole day: no notice would ever be sent' });
  // A login in the URL would bypass the TLS rule of smtpUser and be printed wherever the URL is.
  if (typeof n.smtpUrl === 'string' && /^smtps?:\/\/[^/]*@/i.test(n.smtpUrl))
    out.push({
      path: ['notify', 'smtpUrl'],
      message: 'no login in the URL: give it as EDUMON_SMTP_USER and EDUMON_SMTP_PASS (notify.smtpUser, notify.smtpPass)',
    });
  if (typeof n.retryMaxMs === 'number' && typeof n.retryInitialMs === 'number' && n.retryMaxMs < n.retryInitialMs)
    out.push({ path: ['notify', 'retryMaxMs'], message: 'must be at least retryInitialMs' });
  return out;
}

/** Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost): only this machine can reach it. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The service section's check across fields, on the raw input like notifyProblems: an API bound
 * where other machines can reach it needs a token of its own (a random per-run one would leave the
 * remote tools no way in, and no token would leave the warehouse open). The token is never echoed.
 */
function serviceProblems(raw: unknown): Array<{ path: (string | number)[]; message: string }> {
  if (typeof raw !== 'object' || raw === null) return [];
  const { host, token } = raw as Record<string, unknown>;
  if (typeof host !== 'string' || isLoopback(host) || token !== undefined) return [];
  return [
    {
      path: ['service', 'host'],
      message:
        `监听非本机地址 ${host} 时必须设置 EDUMON_SERVICE_TOKEN（service.token，至少 ${MIN_TOKEN_CHARS} 个字符），否则不启动 / ` +
        `listening on ${host}, not a loopback address, needs EDUMON_SERVICE_TOKEN (service.token, at least ${MIN_TOKEN_CHARS} characters); ` +
        'or set EDUMON_SERVICE_HOST=127.0.0.1',
    },
  ];
}

/** `true`/`1` and `false`/`0`; anything else is left as text for the schema to refuse, naming the variable. */
function booleanOf(v: string): unknown {
  const t = v.trim().toLowerCase();
  return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : v;
}

/** Environment variables and where each lands in the config (exported for docs/configuration.md). */
export const envMap: ReadonlyArray<readonly [name: string, path: readonly string[], parse: (v: string) => unknown]> = [
  ['EDUMON_ENV', ['env'], String],
  ['EDUMON_WAREHOUSE', ['warehouse'], String],
  ['EDUMON_PSEUDONYM_KEY', ['pseudonymKey'], String],
  ['EDUMON_WAREHOUSE_MEMORY_LIMIT', ['warehouseMemoryLimit'], String],
  [
    'EDUMON_KAFKA_BROKERS',
    ['kafka', 'brokers'],
    (v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
  ],
  ['EDUMON_KAFKA_CLIENT_ID', ['kafka', 'clientId'], String],
  ['EDUMON_GROUP_ID', ['kafka', 'groupId'], String],
  ['EDUMON_TOPIC_PREFIX', ['kafka', 'topicPrefix'], String],
  ['EDUMON_CJK_FONT', ['render', 'cjkFont'], String],
  ['EDUMON_CHROMIUM', ['render', 'chromium'], String],
  ['EDUMON_KAFKA_PARTITIONS', ['kafka', 'partitions'], Number],
  ['EDUMON_KAFKA_MAX_BYTES_PER_PARTITION', ['kafka', 'maxBytesPerPartition'], Number],
  ['EDUMON_COMMIT_MAX_EVENTS', ['kafka', 'commitMaxEvents'], Number],
  ['EDUMON_KAFKA_CONCURRENCY', ['kafka', 'partitionsConsumedConcurrently'], Number],
  ['EDUMON_KAFKA_SESSION_TIMEOUT_MS', ['kafka', 'sessionTimeoutMs'], Number],
  ['EDUMON_WRITE_RETRIES', ['kafka', 'writeRetries'], Number],
  ['EDUMON_WRITE_RETRY_BACKOFF_MS', ['kafka', 'writeRetryBackoffMs'], Number],
  ['EDUMON_DLQ_RETENTION_DAYS', ['kafka', 'dlqRetentionDays'], Number],
  ['EDUMON_FAILPOINT_SINK_WRITE', ['failpoints', 'sinkWrite'], String],
  ['EDUMON_FAILPOINT_DAILY_SWEEP_DELAY', ['failpoints', 'dailySweepDelay'], String],
  ['EDUMON_FAILPOINT_EXPORT_CRASH', ['failpoints', 'exportCrash'], String],
  ['EDUMON_FAILPOINT_CLOCK', ['failpoints', 'clock'], String],
  ['EDUMON_PROGRESS_INTERVAL_MS', ['progressIntervalMs'], Number],
  ['EDUMON_LOG_LEVEL', ['log', 'level'], String],
  ['EDUMON_LOG_FORMAT', ['log', 'format'], String],
  ['EDUMON_SERVICE_PORT', ['service', 'port'], Number],
  ['EDUMON_SERVICE_HOST', ['service', 'host'], String],
  ['EDUMON_SERVICE_TOKEN', ['service', 'token'], String],
  ['EDUMON_HEALTH_BROKER_SILENT_SECONDS', ['health', 'brokerSilentSeconds'], Number],
  ['EDUMON_HEALTH_MAX_INGEST_LAG', ['health', 'maxIngestLag'], Number],
  ['EDUMON_HEALTH_MAIL_STUCK_MINUTES', ['health', 'mailStuckMinutes'], Number],
  ['EDUMON_CONSOLE_PORT', ['console', 'port'], Number],
  ['EDUMON_CONSOLE_HOST', ['console', 'host'], String],
  ['EDUMON_CONSOLE_ENABLED', ['console', 'enabled'], booleanOf],
  ['EDUMON_CONSOLE_PUBLIC_URL', ['console', 'publicUrl'], String],
  ['EDUMON_CONSOLE_LINK_KEY', ['console', 'linkKey'], String],
  ['EDUMON_CONSOLE_LINK_TTL_DAYS', ['console', 'linkTtlDays'], Number],
  ['EDUMON_SNAPSHOTS_DIR', ['snapshots', 'dir'], String],
  ['EDUMON_SNAPSHOTS_KEEP', ['snapshots', 'keep'], Number],
  ['EDUMON_SNAPSHOTS_SCHEDULE', ['snapshots', 'schedule'], String],
  ['EDUMON_QUERY_TIMEOUT_MS', ['query', 'timeoutMs'], Number],
  ['EDUMON_QUERY_MAX_ROWS', ['query', 'maxRows'], Number],
  ['EDUMON_QUERY_MAX_RESULT_BYTES', ['query', 'maxResultBytes'], Number],
  ['EDUMON_QUERY_MEMORY_LIMIT', ['query', 'memoryLimit'], String],
  ['EDUMON_RULES_SCHEDULE', ['rules', 'schedule'], String],
  ['EDUMON_RULES_TICK_SECONDS', ['rules', 'seasonTickSeconds'], Number],
  ['EDUMON_RULE_TIMEOUT_MS', ['rules', 'timeoutMs'], Number],
  ['EDUMON_RULES_MAX_INGEST_LAG', ['rules', 'maxIngestLag'], Number],
  ['EDUMON_RULES_STORM_MAX_OPENS', ['rules', 'stormMaxOpens'], Number],
  ['EDUMON_RULES_STORM_MAX_SHARE', ['rules', 'stormMaxShare'], Number],
  ['EDUMON_FEEDS_ALLOWED_LATENESS_MINUTES', ['feeds', 'allowedLatenessMinutes'], Number],
  ['EDUMON_FEEDS_ADMISSION_ALLOWED_LATENESS_MINUTES', ['feeds', 'admission', 'allowedLatenessMinutes'], Number],
  ['EDUMON_SMTP_URL', ['notify', 'smtpUrl'], String],
  ['EDUMON_SMTP_USER', ['notify', 'smtpUser'], String],
  ['EDUMON_SMTP_PASS', ['notify', 'smtpPass'], String],
  ['EDUMON_SMTP_REQUIRE_TLS', ['notify', 'smtpRequireTls'], booleanOf],
  ['EDUMON_SMTP_ALLOW_INSECURE_AUTH', ['notify', 'smtpAllowInsecureAuth'], booleanOf],
  ['EDUMON_SMTP_VERIFY_CERTIFICATE', ['notify', 'smtpVerifyCertificate'], booleanOf],
  ['EDUMON_SMTP_TIMEOUT_MS', ['notify', 'smtpTimeoutMs'], Number],
  ['EDUMON_MAIL_FROM', ['notify', 'from'], String],
  ['EDUMON_MESSAGE_ID_DOMAIN', ['notify', 'messageIdDomain'], String],
  ['EDUMON_SMTP_DATA_TIMEOUT_MS', ['notify', 'smtpDataTimeoutMs'], Number],
  ['EDUMON_SMTP_MAX_CONNECTIONS', ['notify', 'smtpMaxConnections'], Number],
  ['EDUMON_NOTIFY_MAX_UNKNOWN_ATTEMPTS', ['notify', 'maxUnknownAttempts'], Number],
  ['EDUMON_DIGEST_WORSE_THRESHOLD_POINTS', ['digest', 'worseThresholdPoints'], Number],
  ['EDUMON_DIGEST_JUDGED_PRECISION_FLOOR', ['digest', 'judgedPrecisionFloor'], Number],
  ['EDUMON_DIGEST_JUDGED_MINIMUM', ['digest', 'judgedMinimum'], Number],
];

/** Reads, merges and validates the configuration; throws one UsageError listing every problem. */
export function loadConfig(opts: { env?: Env; file?: string; overrides?: Record<string, unknown> } = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.EDUMON_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`config file ${file}: ${(err as Error).message}`);
    }
  }
  const sourceOf = new Map<string, string>();
  for (const [name, path, parse] of envMap) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    setPath(raw, path, parse(v));
    sourceOf.set(path.join('.'), name);
  }
  for (const [key, value] of Object.entries(opts.overrides ?? {})) {
    if (value !== undefined) setPath(raw, key.split('.'), value);
  }
  const parsed = configSchema.safeParse(raw);
  const issues = [...(parsed.success ? [] : parsed.error.issues), ...notifyProblems(raw.notify), ...serviceProblems(raw.service)];
  const problems = issues.map((i) => {
    const key = i.path.join('.');
    const source = [...sourceOf].find(([k]) => key === k || key.startsWith(`${k}.`))?.[1];
    const where = source ?? (file ? `${file}: ${key}` : key);
    return `  - ${where}: ${i.message}`;
  });
  if (raw.env === 'production' && !raw.pseudonymKey) {
    problems.push('  - EDUMON_PSEUDONYM_KEY: required when EDUMON_ENV=production (the secret that keys student and staff pseudonyms)');
  }
  const linkKey = (raw.console as { linkKey?: unknown } | undefined)?.linkKey;
  if (linkKey !== undefined && linkKey === raw.pseudonymKey) {
    problems.push(`  - ${sourceOf.get('console.linkKey') ?? 'console.linkKey'}: must differ from the pseudonym key (a secret of its own)`);
  }
  const failpoints = raw.failpoints as Record<string, unknown> | undefined;
  if (failpoints && Object.keys(failpoints).length > 0 && raw.env !== 'test') {
    const source =
      sourceOf.get('failpoints.sinkWrite') ??
      sourceOf.get('failpoints.dailySweepDelay') ??
      sourceOf.get('failpoints.exportCrash') ??
      sourceOf.get('failpoints.clock') ??
      'failpoints';
    problems.push(`  - ${source}: fault injection is only for EDUMON_ENV=test`);
  }
  if (!parsed.success || problems.length > 0) {
    throw new UsageError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== 'object' || next === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

/** The snapshots' folder, absolute: snapshots.dir, else `snapshots` beside the warehouse file. */
export function snapshotsDirOf(config: Pick<Config, 'snapshots' | 'warehouse'>): string {
  return resolve(config.snapshots.dir ?? join(dirname(config.warehouse), 'snapshots'));
}
