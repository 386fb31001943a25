import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { EdumonError } from '../../core/errors.ts';
import { topicsOf } from '../../domain/topics.ts';

const KEY = 'a-production-secret-key';
/** A service token of the shortest length accepted (32 characters). */
const TOKEN = 'service-token-0123456789abcdefgh';
function problem(env: Record<string, string | undefined>, file?: string): EdumonError {
  try {
    loadConfig({ env, file });
  } catch (err) {
    if (err instanceof EdumonError) return err;
    throw err;
  }
  throw new Error('expected loadConfig to refuse');
}

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edumon-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has working defaults with an empty environment', () => {
    expect(loadConfig({ env: {} })).toEqual({
      env: 'dev',
      warehouse: 'data/edumon.duckdb',
      warehouseMemoryLimit: '256MB',
      progressIntervalMs: 10_000,
      kafka: {
        brokers: ['127.0.0.1:9092'],
        clientId: 'edumon',
        groupId: 'edumon-warehouse',
        topicPrefix: 'edu.',
        partitions: 4,
        maxBytesPerPartition: 1024 * 1024,
        commitMaxEvents: 25_000,
        partitionsConsumedConcurrently: 16,
        sessionTimeoutMs: 30_000,
        writeRetries: 5,
        writeRetryBackoffMs: 1000,
        dlqRetentionDays: 14,
      },
      log: { level: 'info', format: 'text' },
      service: { port: 0, host: '127.0.0.1' },
      health: { brokerSilentSeconds: 15, maxIngestLag: 50_000, mailStuckMinutes: 30 },
      console: {
        port: 8780,
        host: '127.0.0.1',
        enabled: true,
        linkTtlDays: 7,
        sessionIdleMinutes: 120,
        sessionMaxHours: 12,
        lockAfterFailures: 5,
        lockMinutes: 15,
        addressMaxFailures: 20,
      },
      snapshots: { keep: 7, schedule: '0 0 3 * * *' },
      render: { cjkFont: null, chromium: '/usr/bin/chromium' },
      query: { timeoutMs: 30_000, maxRows: 100_000, maxResultBytes: 64 * 1024 * 1024, memoryLimit: '256MB' },
      feeds: {
        allowedLatenessMinutes: 10,
        admission: { allowedLatenessMinutes: 0 },
        payroll: { maxQuietDays: 35, allowedLatenessMinutes: null },
        funds: { maxQuietDays: 100, allowedLatenessMinutes: null },
        registry: { maxQuietDays: null, allowedLatenessMinutes: null },
        enrollment: { maxQuietDays: null, allowedLatenessMinutes: null },
      },
      notify: {
        smtpRequireTls: false,
        smtpAllowInsecureAuth: false,
        smtpVerifyCertificate: true,
        smtpTimeoutMs: 30_000,
        smtpDataTimeoutMs: 600_000,
        smtpMaxConnections: 3,
        maxUnknownAttempts: 2,
        from: '焦作市教育监测 <edumon@localhost>',
        messageIdDomain: 'edumon.localhost',
        contacts: {},
        escalation: [],
        dataTeam: [],
        renotifyHours: 24,
        escalateAfterDays: 3,
        flapMaxReopensPerDay: 3,
        maxAlertsInBody: 50,
        muteWindows: [],
        muteHolidays: true,
        calendarOverrides: [],
        retryInitialMs: 5_000,
        retryMaxMs: 600_000,
        giveUpAfterHours: 48,
      },
      digest: { worseThresholdPoints: 1, judgedPrecisionFloor: 0.7, judgedMinimum: 5 },
      rules: {
        seasonStart: '06-15',
        seasonEnd: '08-31',
        exemptAdmissionTypes: [],
        offPlatformGraceDays: 3,
        maxClassSize: 55,
        maxSchoolSize: 3000,
        schoolSizeOpenedFrom: 2022,
        wageDueDay: 10,
        wageToleranceYuan: 1,
        poachWindowDays: 180,
        kgGerMinPercent: 97,
        kgPuhuiMinPercent: 90,
        kgPublicShareMinPercent: 50,
        hsGerMinPercent: 95,
        kgChildrenPerTeacher: 15,
        townshipLargePopulation: 30_000,
        kgOutdoorM2PerChild: 4,
        kgActivityM2PerChild: 8.17,
        kgBuildingM2PerChild: 10.44,
        newPublicPlacesTarget: 10_000,
        newPublicPlacesFrom: '2022-01-01',
        newPublicPlacesBy: '2025-12-31',
        hsFundsPerStudentYuan: 1000,
        hsTuitionMaxPercent: 25,
        hsStudentsPerTeacher: 12.5,
        hsTeacherUplift: 1.1,
        staleFeedMinutes: 30,
        schedule: 'on',
        seasonTickSeconds: 10,
        timeoutMs: 60_000,
        maxIngestLag: 50_000,
        stormMaxOpens: 1000,
        stormMaxShare: 0.5,
      },
      failpoints: {},
    });
  });

  it('ticks the scheduler every 10 s by default, every EDUMON_RULES_TICK_SECONDS given, and refuses a tick that does not divide the minute', () => {
    expect(loadConfig({ env: {} }).rules.seasonTickSeconds).toBe(10);
    expect(loadConfig({ env: { EDUMON_RULES_TICK_SECONDS: '2' } }).rules.seasonTickSeconds).toBe(2);
    expect(() => loadConfig({ env: { EDUMON_RULES_TICK_SECONDS: '7' } })).toThrow(/EDUMON_RULES_TICK_SECONDS: must divide 60/);
  });

  it('refuses a judged-precision floor outside 0 to 1 and a judged minimum below 1, naming the variable', () => {
    expect(() => loadConfig({ env: { EDUMON_DIGEST_JUDGED_PRECISION_FLOOR: '70' } })).toThrow(/EDUMON_DIGEST_JUDGED_PRECISION_FLOOR: /);
    expect(() => loadConfig({ env: { EDUMON_DIGEST_JUDGED_MINIMUM: '0' } })).toThrow(/EDUMON_DIGEST_JUDGED_MINIMUM: /);
  });

  it('does not read process.env when given an env object', () => {
    const saved = process.env.EDUMON_WAREHOUSE;
    process.env.EDUMON_WAREHOUSE = '/should/not/be/used.duckdb';
    try {
      expect(loadConfig({ env: {} }).warehouse).toBe('data/edumon.duckdb');
    } finally {
      if (saved === undefined) delete process.env.EDUMON_WAREHOUSE;
      else process.env.EDUMON_WAREHOUSE = saved;
    }
  });

  it('applies every EDUMON_* override', () => {
    const c = loadConfig({
      env: {
        EDUMON_ENV: 'test',
        EDUMON_WAREHOUSE: '/tmp/w.duckdb',
        EDUMON_PSEUDONYM_KEY: KEY,
        EDUMON_KAFKA_BROKERS: 'k1:9092, k2:9093,',
        EDUMON_KAFKA_CLIENT_ID: 'cid',
        EDUMON_GROUP_ID: 'gid',
        EDUMON_TOPIC_PREFIX: 'jz.',
        EDUMON_KAFKA_PARTITIONS: '8',
        EDUMON_LOG_LEVEL: 'debug',
        EDUMON_LOG_FORMAT: 'json',
        EDUMON_SERVICE_PORT: '8123',
        EDUMON_HEALTH_BROKER_SILENT_SECONDS: '30',
        EDUMON_HEALTH_MAX_INGEST_LAG: '1000',
        EDUMON_HEALTH_MAIL_STUCK_MINUTES: '5',
        EDUMON_SERVICE_HOST: '0.0.0.0',
        EDUMON_SERVICE_TOKEN: TOKEN,
        EDUMON_CONSOLE_PORT: '8443',
        EDUMON_CONSOLE_HOST: '0.0.0.0',
        EDUMON_CONSOLE_ENABLED: 'false',
        EDUMON_CONSOLE_PUBLIC_URL: 'https://edumon.jyj.example.cn/console',
        EDUMON_CONSOLE_LINK_KEY: 'link-key-0123456789abcdef0123456789abcdef',
        EDUMON_CONSOLE_LINK_TTL_DAYS: '3',
        EDUMON_SNAPSHOTS_DIR: '/srv/edumon/snapshots',
        EDUMON_SNAPSHOTS_KEEP: '3',
        EDUMON_SNAPSHOTS_SCHEDULE: 'off',
        EDUMON_WAREHOUSE_MEMORY_LIMIT: '1GB',
        EDUMON_PROGRESS_INTERVAL_MS: '500',
        EDUMON_KAFKA_MAX_BYTES_PER_PARTITION: '1048576',
        EDUMON_COMMIT_MAX_EVENTS: '20000',
        EDUMON_KAFKA_CONCURRENCY: '4',
        EDUMON_KAFKA_SESSION_TIMEOUT_MS: '6000',
        EDUMON_RULES_SCHEDULE: 'off',
        EDUMON_RULES_TICK_SECONDS: '5',
        EDUMON_RULE_TIMEOUT_MS: '5000',
        EDUMON_QUERY_TIMEOUT_MS: '2500',
        EDUMON_QUERY_MAX_ROWS: '500',
        EDUMON_QUERY_MAX_RESULT_BYTES: '8388608',
        EDUMON_QUERY_MEMORY_LIMIT: '64MB',
        EDUMON_WRITE_RETRIES: '2',
        EDUMON_WRITE_RETRY_BACKOFF_MS: '50',
        EDUMON_DLQ_RETENTION_DAYS: '2.5',
        EDUMON_FAILPOINT_SINK_WRITE: 'after=3,times=1',
        EDUMON_FEEDS_ALLOWED_LATENESS_MINUTES: '0',
        EDUMON_SMTP_URL: 'smtps://mail.jiaozuo.example:465',
        EDUMON_SMTP_USER: 'edumon',
        EDUMON_SMTP_PASS: 'secret',
        EDUMON_MAIL_FROM: 'edumon <edumon@jiaozuo.example>',
        EDUMON_SMTP_REQUIRE_TLS: 'true',
        EDUMON_SMTP_ALLOW_INSECURE_AUTH: '1',
        EDUMON_SMTP_VERIFY_CERTIFICATE: 'false',
        EDUMON_SMTP_TIMEOUT_MS: '4000',
        EDUMON_MESSAGE_ID_DOMAIN: 'mail.jiaozuo.example',
        EDUMON_DIGEST_WORSE_THRESHOLD_POINTS: '2.5',
        EDUMON_DIGEST_JUDGED_PRECISION_FLOOR: '0.6',
        EDUMON_DIGEST_JUDGED_MINIMUM: '10',
        EDUMON_CJK_FONT: '/opt/fonts/NotoSansCJK-Regular.ttc',
        EDUMON_CHROMIUM: '/opt/chromium/chrome',
      },
    });
    expect(c).toEqual({
      env: 'test',
      warehouse: '/tmp/w.duckdb',
      pseudonymKey: KEY,
      warehouseMemoryLimit: '1GB',
      progressIntervalMs: 500,
      kafka: {
        brokers: ['k1:9092', 'k2:9093'],
        clientId: 'cid',
        groupId: 'gid',
        topicPrefix: 'jz.',
        partitions: 8,
        maxBytesPerPartition: 1048576,
        commitMaxEvents: 20_000,
        partitionsConsumedConcurrently: 4,
        sessionTimeoutMs: 6000,
        writeRetries: 2,
        writeRetryBackoffMs: 50,
        dlqRetentionDays: 2.5,
      },
      log: { level: 'debug', format: 'json' },
      service: { port: 8123, host: '0.0.0.0', token: TOKEN },
      health: { brokerSilentSeconds: 30, maxIngestLag: 1000, mailStuckMinutes: 5 },
      console: {
        ...loadConfig({ env: {} }).console,
        port: 8443,
        host: '0.0.0.0',
        enabled: false,
        publicUrl: 'https://edumon.jyj.example.cn/console',
        linkKey: 'link-key-0123456789abcdef0123456789abcdef',
        linkTtlDays: 3,
      },
      snapshots: { dir: '/srv/edumon/snapshots', keep: 3, schedule: 'off' },
      render: { cjkFont: '/opt/fonts/NotoSansCJK-Regular.ttc', chromium: '/opt/chromium/chrome' },
      query: { timeoutMs: 2500, maxRows: 500, maxResultBytes: 8_388_608, memoryLimit: '64MB' },
      feeds: { ...loadConfig({ env: {} }).feeds, allowedLatenessMinutes: 0 },
      rules: { ...loadConfig({ env: {} }).rules, schedule: 'off', seasonTickSeconds: 5, timeoutMs: 5000 },
      notify: {
        ...loadConfig({ env: {} }).notify,
        smtpUrl: 'smtps://mail.jiaozuo.example:465',
        smtpUser: 'edumon',
        smtpPass: 'secret',
        smtpRequireTls: true,
        smtpAllowInsecureAuth: true,
        smtpVerifyCertificate: false,
        smtpTimeoutMs: 4000,
        messageIdDomain: 'mail.jiaozuo.example',
        from: 'edumon <edumon@jiaozuo.example>',
      },
      digest: { worseThresholdPoints: 2.5, judgedPrecisionFloor: 0.6, judgedMinimum: 10 },
      failpoints: { sinkWrite: 'after=3,times=1' },
    });
    expect(topicsOf(c)).toEqual({ registry: 'jz.registry', admission: 'jz.admission', enrollment: 'jz.enrollment', funding: 'jz.funding', dlq: 'jz.dlq' });
  });

  it('lists every problem of the contacts at once, naming each key', () => {
    const f = join(dir, 'contacts.json');
    writeFileSync(
      f,
      JSON.stringify({
        notify: {
          smtpUrl: 'http://mail:25',
          contacts: {
            '410899': [{ id: 'x', name: 'X', email: 'x@example.cn' }],
            '410825': [{ id: 'wen', name: '温县', email: 'not-an-address' }],
            '410823': [{ id: 'x', name: 'Y', email: 'y@example.cn', minSeverity: 'urgent' }],
          },
          escalation: [{ id: 'e', name: 'E', email: 'e@example.cn', region: '999999' }],
          muteWindows: [{ from: '22:00', to: '7:00' }],
        },
      }),
    );
    const lines = problem({}, f).message.split('\n');
    for (const key of [
      'notify.smtpUrl',
      'notify.contacts.410899:',
      'notify.contacts.410825.0.email',
      'notify.contacts.410823.0.minSeverity',
      'notify.contacts.410899.0.id',
      'notify.escalation.0.region',
      'notify.muteWindows.0.to',
    ])
      expect(
        lines.some((l) => l.includes(`${f}: ${key}`)),
        key,
      ).toBe(true);
  });

  it('never sends a login in clear by default, and reads the SMTP switches from the environment by name', () => {
    expect(loadConfig({ env: {} }).notify).toMatchObject({ smtpRequireTls: false, smtpAllowInsecureAuth: false, smtpVerifyCertificate: true });
    expect(() => loadConfig({ env: { EDUMON_SMTP_ALLOW_INSECURE_AUTH: 'yes' } })).toThrow(/EDUMON_SMTP_ALLOW_INSECURE_AUTH: .*expected boolean/);
    expect(() => loadConfig({ env: { EDUMON_SMTP_URL: 'smtp://edumon:secret@mail.example.cn:587' } })).toThrow(
      /EDUMON_SMTP_URL: no login in the URL: give it as EDUMON_SMTP_USER and EDUMON_SMTP_PASS/,
    );
  });

  it('accepts addresses as RFC 5321/6531 allow: punycode and Unicode domains (made punycode), a UTF-8 local part', () => {
    const contacts = (email: string) => ({ 'notify.contacts': { '410800': [{ id: 'city', name: '焦作市教育局', email }] } });
    const emailOf = (email: string) => loadConfig({ env: {}, overrides: contacts(email) }).notify.contacts['410800']![0]!.email;
    expect(emailOf('jyj@xn--8uqz53c0meexy.xn--fiqs8s')).toBe('jyj@xn--8uqz53c0meexy.xn--fiqs8s');
    expect(emailOf('jyj@教育局.中国')).toBe('jyj@xn--dgtp5sd2w.xn--fiqs8s');
    expect(emailOf('JYJ@Jiaozuo.Example.CN')).toBe('JYJ@jiaozuo.example.cn');
    expect(emailOf('教育局@jiaozuo.example.cn')).toBe('教育局@jiaozuo.example.cn');
    expect(() => loadConfig({ env: {}, overrides: contacts('jyj@@x') })).toThrow(/notify\.contacts\.410800\.0\.email: not an email address/);
    expect(() => loadConfig({ env: {}, overrides: contacts('a..b@example.cn') })).toThrow(/not an email address/);
    expect(() => loadConfig({ env: {}, overrides: contacts('jyj@exa mple.cn') })).toThrow(/'exa mple.cn' is not a domain name/);
  });

  it('refuses a From that is not a mailbox, naming the variable', () => {
    expect(loadConfig({ env: { EDUMON_MAIL_FROM: '焦作市教育局 (监测) <jyj@教育局.中国>' } }).notify.from).toBe('焦作市教育局 (监测) <jyj@教育局.中国>');
    expect(() => loadConfig({ env: { EDUMON_MAIL_FROM: '焦作市教育局' } })).toThrow(/EDUMON_MAIL_FROM: expected 'Display Name <address>' or an address/);
  });

  it('refuses mute windows that together cover the whole day (every notice held forever)', () => {
    const always = {
      'notify.muteWindows': [
        { from: '00:00', to: '12:00' },
        { from: '12:00', to: '00:00' },
      ],
    };
    expect(() => loadConfig({ env: {}, overrides: always })).toThrow(/notify\.muteWindows: the windows cover the whole day/);
    const gap = {
      'notify.muteWindows': [
        { from: '00:00', to: '12:00' },
        { from: '12:01', to: '00:00' },
      ],
    };
    expect(loadConfig({ env: {}, overrides: gap }).notify.muteWindows).toHaveLength(2);
  });

  it('refuses fault injection outside the test environment, naming the variable', () => {
    const e = problem({ EDUMON_ENV: 'production', EDUMON_PSEUDONYM_KEY: KEY, EDUMON_FAILPOINT_SINK_WRITE: 'after=1' });
    expect(e.message).toContain('EDUMON_FAILPOINT_SINK_WRITE: fault injection is only for EDUMON_ENV=test');
  });

  it('ignores empty variables', () => {
    expect(loadConfig({ env: { EDUMON_ENV: '', EDUMON_SERVICE_PORT: '' } }).env).toBe('dev');
  });

  it('lists every problem at once, each naming its variable', () => {
    const e = problem({
      EDUMON_KAFKA_PARTITIONS: 'many',
      EDUMON_LOG_LEVEL: 'loud',
      EDUMON_SERVICE_PORT: '99999',
      EDUMON_KAFKA_BROKERS: ' , ',
      EDUMON_ENV: 'staging',
    });
    expect(e.exitCode).toBe(2);
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('invalid configuration:');
    for (const v of ['EDUMON_KAFKA_PARTITIONS', 'EDUMON_LOG_LEVEL', 'EDUMON_SERVICE_PORT', 'EDUMON_KAFKA_BROKERS', 'EDUMON_ENV']) {
      expect(lines.some((l) => l.startsWith(`  - ${v}: `))).toBe(true);
    }
    expect(lines).toHaveLength(6);
  });

  it('refuses a pseudonym key shorter than 16 characters without echoing it', () => {
    const e = problem({ EDUMON_PSEUDONYM_KEY: 'short-secret' });
    expect(e.message).toContain('EDUMON_PSEUDONYM_KEY: expected at least 16 characters');
    expect(e.message).not.toContain('short-secret');
  });

  it('refuses a service reachable from other machines without a token, naming both variables', () => {
    for (const host of ['0.0.0.0', '192.168.1.20', '::']) {
      const e = problem({ EDUMON_SERVICE_HOST: host });
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(/EDUMON_SERVICE_HOST: 监听非本机地址 .* EDUMON_SERVICE_TOKEN/);
      expect(e.message).toMatch(/not a loopback address, needs EDUMON_SERVICE_TOKEN \(service.token, at least 32 characters\)/);
    }
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost', '[::1]'])
      expect(loadConfig({ env: { EDUMON_SERVICE_HOST: host } }).service.host).toBe(host);
    expect(loadConfig({ env: { EDUMON_SERVICE_HOST: '0.0.0.0', EDUMON_SERVICE_TOKEN: TOKEN } }).service).toMatchObject({ host: '0.0.0.0', token: TOKEN });
  });

  it('refuses a service token shorter than 32 characters without echoing it', () => {
    const short = 'short-service-token-0123456789';
    for (const host of ['0.0.0.0', '127.0.0.1']) {
      const e = problem({ EDUMON_SERVICE_HOST: host, EDUMON_SERVICE_TOKEN: short });
      expect(e.message).toContain('EDUMON_SERVICE_TOKEN: 服务令牌至少 32 个字符 / expected at least 32 characters');
      expect(e.message).not.toContain(short);
    }
  });

  it('production refuses to start without EDUMON_PSEUDONYM_KEY', () => {
    const e = problem({ EDUMON_ENV: 'production' });
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/EDUMON_PSEUDONYM_KEY: required when EDUMON_ENV=production/);
  });

  it('production starts with EDUMON_PSEUDONYM_KEY', () => {
    expect(loadConfig({ env: { EDUMON_ENV: 'production', EDUMON_PSEUDONYM_KEY: KEY } })).toMatchObject({ env: 'production', pseudonymKey: KEY });
  });

  it('refuses a console link key that is the pseudonym key, without echoing it', () => {
    const shared = 'one-secret-for-everything-0123456789';
    const e = problem({ EDUMON_PSEUDONYM_KEY: shared, EDUMON_CONSOLE_LINK_KEY: shared });
    expect(e.message).toContain('EDUMON_CONSOLE_LINK_KEY: must differ from the pseudonym key');
    expect(e.message).not.toContain(shared);
  });

  it('reads a config file (also via EDUMON_CONFIG), with variables winning, and names the file key in problems', () => {
    const f = join(dir, 'edumon.json');
    writeFileSync(f, JSON.stringify({ warehouse: '/from/file.duckdb', kafka: { topicPrefix: 'file.' }, log: { level: 'warn' } }));
    const c = loadConfig({ env: { EDUMON_CONFIG: f, EDUMON_LOG_LEVEL: 'error' } });
    expect(c).toMatchObject({ warehouse: '/from/file.duckdb', kafka: { topicPrefix: 'file.', brokers: ['127.0.0.1:9092'] }, log: { level: 'error' } });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ kafka: { partitions: 0 } }));
    expect(problem({}, bad).message).toContain(`  - ${bad}: kafka.partitions: `);
  });

  it('names a config file that is not JSON', () => {
    const f = join(dir, 'broken.json');
    writeFileSync(f, '{ nope');
    expect(problem({}, f).message).toMatch(new RegExp(`^config file ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });

  it('applies overrides last', () => {
    expect(loadConfig({ env: { EDUMON_WAREHOUSE: '/env.duckdb' }, overrides: { warehouse: '/cli.duckdb', 'kafka.groupId': 'g2' } })).toMatchObject({
      warehouse: '/cli.duckdb',
      kafka: { groupId: 'g2' },
    });
  });

  it('names EDUMON_KAFKA_BROKERS when one of its brokers is malformed', () => {
    expect(problem({ EDUMON_KAFKA_BROKERS: 'localhost' }).message).toContain('  - EDUMON_KAFKA_BROKERS: expected host:port');
  });

  it('lists the missing production key together with every other problem', () => {
    const msg = problem({ EDUMON_ENV: 'production', EDUMON_LOG_LEVEL: 'loud' }).message;
    expect(msg).toContain('EDUMON_LOG_LEVEL');
    expect(msg).toContain('EDUMON_PSEUDONYM_KEY');
  });
});
