/**
 * The pure parts of mail delivery: what an SMTP attempt came to (classifySend, fed the error
 * objects nodemailer 10 really produces: captured from nodemailer against smtp-server and against
 * a bare socket server, fields as its smtp-connection _formatError sets them), the retry backoff,
 * the Message-ID, the message of an outbox row, and DQ-NOTIFY-FAILED's shape.
 */
import { describe, expect, it } from 'vitest';
import { contactRegionOf, notifyFailedViolation } from '../../alerts/notify/notifyFailed.ts';
import { messageIdOf } from '../../alerts/notify/outbox.ts';
import { fromProblem } from '../../alerts/notify/sendingCheck.ts';
import { classifySend, messageOfRow, type SmtpErrorLike, transportOptions } from '../../alerts/notify/smtp.ts';
import { tlsRefusal } from '../../alerts/notify/smtpTls.ts';
import { loadConfig } from '../../core/config.ts';
import { backoffMs } from '../../service/mailSender.ts';

/** nodemailer's errors, as captured (message, code, command, response, responseCode). */
const captured: Record<string, SmtpErrorLike> = {
  refused: { message: 'connect ECONNREFUSED 127.0.0.1:36863', code: 'ESOCKET', command: 'CONN' },
  noGreeting: { message: 'Greeting never received', code: 'ETIMEDOUT', command: 'CONN' },
  greeting421: { message: 'Invalid greeting. response=421 busy: 421 busy', code: 'EPROTOCOL', command: 'CONN', response: '421 busy', responseCode: 421 },
  rcpt550: {
    message: "Can't send mail - all recipients were rejected: 550 No such user",
    code: 'EENVELOPE',
    command: 'RCPT TO',
    response: '550 No such user',
    responseCode: 550,
  },
  data451: { message: 'Message failed: 451 later', code: 'EMESSAGE', command: 'DATA', response: '451 later', responseCode: 451 },
  data552: { message: 'Message failed: 552 too big', code: 'EMESSAGE', command: 'DATA', response: '552 too big', responseCode: 552 },
  badSequence503: { message: 'Message failed: 503 Bad sequence', code: 'EMESSAGE', command: 'DATA', response: '503 Bad sequence', responseCode: 503 },
  auth535: {
    message: 'Invalid login: 535 Authentication failed',
    code: 'EAUTH',
    command: 'AUTH PLAIN',
    response: '535 Authentication failed',
    responseCode: 535,
  },
  // The same two errors whether the message data had gone out or not: only the stage tells.
  socketTimeout: { message: 'Timeout', code: 'ETIMEDOUT', command: 'CONN' },
  closed: { message: 'Connection closed unexpectedly', code: 'ECONNECTION', command: 'CONN' },
};

describe('classifySend', () => {
  it('an accepted message is sent, with the reply to the final dot', () => {
    expect(classifySend(null, true, '250 2.0.0 Ok: queued as 4F2A')).toEqual({ outcome: 'sent', code: 250, reply: '250 2.0.0 Ok: queued as 4F2A' });
  });

  it('a 5xx reply fails the row for good, a rejected recipient included', () => {
    expect(classifySend(captured.rcpt550!, false)).toEqual({ outcome: 'failed', code: 550, reply: '550 No such user' });
    expect(classifySend(captured.data552!, true)).toMatchObject({ outcome: 'failed', code: 552 });
  });

  it('a 4xx reply is retried, before or after the data', () => {
    expect(classifySend(captured.data451!, true)).toEqual({ outcome: 'retry', code: 451, reply: '451 later' });
    expect(classifySend(captured.greeting421!, false)).toMatchObject({ outcome: 'retry', code: 421 });
  });

  it('503 (the session, not the message) and a refused login (the configuration, not this email) are retried', () => {
    expect(classifySend(captured.badSequence503!, true).outcome).toBe('retry');
    expect(classifySend(captured.auth535!, false)).toMatchObject({ outcome: 'retry', code: 535 });
  });

  it('a transport error before the data went out is retried: nothing can have been delivered', () => {
    expect(classifySend(captured.refused!, false)).toEqual({ outcome: 'retry', code: null, reply: 'ESOCKET: connect ECONNREFUSED 127.0.0.1:36863' });
    expect(classifySend(captured.noGreeting!, false).outcome).toBe('retry');
    expect(classifySend(captured.socketTimeout!, false).outcome).toBe('retry');
    expect(classifySend(captured.closed!, false).outcome).toBe('retry');
  });

  it('no reply after the data went out is unknown: it may have been delivered', () => {
    expect(classifySend(captured.socketTimeout!, true)).toEqual({ outcome: 'unknown', code: null, reply: 'ETIMEDOUT: Timeout' });
    expect(classifySend(captured.closed!, true).outcome).toBe('unknown');
  });

  it('a STARTTLS the server refuses is retried (the server, not this email) and the reply names the setting that asked for TLS', () => {
    const starttls = {
      message: 'Error upgrading connection with STARTTLS: 500 Error: command not recognized',
      code: 'ETLS',
      command: 'STARTTLS',
      response: '500 Error: command not recognized',
      responseCode: 500,
    };
    const r = classifySend(starttls, false, undefined, 'TLS is required (EDUMON_SMTP_REQUIRE_TLS)');
    expect(r).toEqual({ outcome: 'retry', code: 500, reply: 'TLS is required (EDUMON_SMTP_REQUIRE_TLS) (500 Error: command not recognized)' });
  });

  it('keeps at most 1000 characters of a reply', () => {
    expect(classifySend({ response: `550 ${'x'.repeat(5000)}`, responseCode: 550 }, false).reply).toHaveLength(1000);
  });
});

describe('backoffMs', () => {
  const notify = { retryInitialMs: 5_000, retryMaxMs: 600_000 };
  it('doubles from retryInitialMs and stops at retryMaxMs', () => {
    expect([1, 2, 3, 4, 8, 9, 50, 10_000].map((n) => backoffMs(n, notify))).toEqual([5_000, 10_000, 20_000, 40_000, 600_000, 600_000, 600_000, 600_000]);
  });
});

describe('the message of an outbox row', () => {
  const row = {
    id: 'a1b2c3',
    messageId: messageIdOf('a1b2c3', 'edumon.example.cn'),
    address: 'wuzhi@example.cn',
    subject: '【严重】武陟县 超计划招生',
    html: '<p>告警</p>',
    text: '告警',
    attachments: [{ filename: '告警.csv', contentType: 'text/csv; charset=utf-8', content: 'a,b\n' }],
    createdAt: '2025-07-10T01:00:00.000Z',
  };

  it('has the same Message-ID on every attempt: <id@domain>', () => {
    expect(row.messageId).toBe('<a1b2c3@edumon.example.cn>');
    expect(messageIdOf('a1b2c3', 'edumon.example.cn')).toBe(row.messageId);
  });

  it('keeps every character of the From display name, parentheses included', () => {
    const m = messageOfRow(row, '焦作市教育局 (监测科) <jyj@xn--8uqz53c0meexy.xn--fiqs8s>');
    expect(m.from).toEqual({ name: '焦作市教育局 (监测科)', address: 'jyj@xn--8uqz53c0meexy.xn--fiqs8s' });
    expect(messageOfRow(row, '"Jiaozuo \\"EB\\"" <jyj@example.cn>').from).toEqual({ name: 'Jiaozuo "EB"', address: 'jyj@example.cn' });
    expect(messageOfRow(row, 'jyj@example.cn').from).toBe('jyj@example.cn');
  });

  it('goes to one envelope recipient, dated when it was written, with its outbox id', () => {
    const m = messageOfRow(row, '焦作市教育监测 <edumon@example.cn>');
    expect(m.envelope).toEqual({ from: 'edumon@example.cn', to: ['wuzhi@example.cn'] });
    expect(m.messageId).toBe('<a1b2c3@edumon.example.cn>');
    expect(m.date.toISOString()).toBe('2025-07-10T01:00:00.000Z');
    expect(m.headers).toEqual({ 'X-Edumon-Outbox-Id': 'a1b2c3' });
  });

  it('takes the SMTP settings: no pool, every timeout (the socket waits as long as the reply to the final dot may take), TLS checks, credentials', () => {
    const o = transportOptions({
      smtpUrl: 'smtps://mail.example.cn:465',
      smtpUser: 'edumon',
      smtpPass: 'secret',
      smtpRequireTls: true,
      smtpAllowInsecureAuth: false,
      smtpVerifyCertificate: false,
      smtpTimeoutMs: 1234,
      smtpDataTimeoutMs: 600_000,
      from: 'x <x@example.cn>',
    });
    expect(o).toMatchObject({
      url: 'smtps://mail.example.cn:465',
      pool: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      connectionTimeout: 1234,
      greetingTimeout: 1234,
      socketTimeout: 600_000,
      auth: { user: 'edumon', pass: 'secret' },
    });
  });
});

describe('TLS and the login', () => {
  const base = {
    smtpUrl: 'smtp://mail.example.cn:587',
    smtpRequireTls: false,
    smtpAllowInsecureAuth: false,
    smtpVerifyCertificate: true,
    smtpTimeoutMs: 1000,
    smtpDataTimeoutMs: 600_000,
    from: 'x <x@example.cn>',
  };
  it('requires STARTTLS on smtp:// when a login is set, unless smtpAllowInsecureAuth', () => {
    expect(transportOptions({ ...base, smtpUser: 'edumon', smtpPass: 'secret' }).requireTLS).toBe(true);
    expect(transportOptions({ ...base, smtpUser: 'edumon', smtpPass: 'secret', smtpAllowInsecureAuth: true }).requireTLS).toBe(false);
    expect(transportOptions(base).requireTLS).toBe(false);
    expect(transportOptions({ ...base, smtpRequireTls: true }).requireTLS).toBe(true);
    expect(tlsRefusal({ smtpUser: 'edumon', smtpRequireTls: false, smtpAllowInsecureAuth: false })).toContain('EDUMON_SMTP_ALLOW_INSECURE_AUTH=true');
  });
});

describe('the From against the login', () => {
  const notify = (smtpUrl: string, smtpUser: string | undefined, from: string) => ({ smtpUrl, smtpUser, from });
  it('QQ, 163, 126, exmail.qq and aliyun refuse a From other than the login: the problem quotes their 501', () => {
    for (const host of ['smtp.qq.com', 'smtp.163.com', 'smtp.126.com', 'smtp.exmail.qq.com', 'smtp.qiye.aliyun.com']) {
      const problem = fromProblem(notify(`smtps://${host}:465`, 'jyj@jiaozuo.example.cn', '焦作市教育监测 <edumon@jiaozuo.example.cn>'));
      expect(problem, host).toContain('501 mail from address must be same as authorization user');
      expect(problem, host).toContain('EDUMON_MAIL_FROM');
      expect(fromProblem(notify(`smtps://${host}:465`, 'JYJ@jiaozuo.example.cn', '焦作市教育监测 <jyj@jiaozuo.example.cn>')), host).toBeNull();
    }
    expect(fromProblem(notify('smtp://127.0.0.1:2525', 'edumon@qq.com', 'a <b@example.cn>'))).toContain('QQ 邮箱');
    expect(fromProblem(notify('smtps://mail.jiaozuo.example.cn:465', 'edumon', 'a <b@example.cn>'))).toBeNull();
  });
});

describe('DQ-NOTIFY-FAILED', () => {
  const notify = loadConfig({
    env: {},
    overrides: {
      'notify.contacts': {
        '410823': [{ id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@example.cn' }],
        '410800': [
          { id: 'city', name: '焦作市教育局', email: 'city@example.cn' },
          { id: 'wuzhi', name: '武陟县教育局', email: 'wuzhi@example.cn' },
        ],
      },
      'notify.dataTeam': [{ id: 'data', name: '数据组', email: 'data@example.cn' }],
    },
  }).notify;

  it('puts a contact in the region it is listed under, the county before the city; none for the data team', () => {
    expect(contactRegionOf('wuzhi', notify)).toBe('410823');
    expect(contactRegionOf('city', notify)).toBe('410800');
    expect(contactRegionOf('data', notify)).toBeNull();
  });

  it('names the contact by id and the Shanghai date of the failure, never the address', () => {
    const v = notifyFailedViolation({
      outboxId: 'o1',
      contactId: 'wuzhi',
      region: '410823',
      at: '2025-07-10T17:30:00.000Z',
      code: 550,
      reply: `550 ${'x'.repeat(1000)}`,
      failedCount: 2,
    });
    expect(v).toMatchObject({ rule: 'DQ-NOTIFY-FAILED', school_id: null, region_code: '410823', period: '2025-07-11', subject: 'wuzhi', observed: null });
    expect(v.details).toMatchObject({ outbox_id: 'o1', code: 550, failed_count: 2 });
    expect(String(v.details.reply).length).toBeLessThanOrEqual(300);
    expect(JSON.stringify(v)).not.toContain('@');
  });

  it('takes every address out of the reply: servers quote the recipient', () => {
    const v = notifyFailedViolation({
      outboxId: 'o1',
      contactId: 'wuzhi',
      region: '410823',
      at: '2025-07-10T01:00:00.000Z',
      code: 550,
      reply: '550 5.1.1 <Wuzhi@Example.CN>: Recipient address rejected: wuzhi@example.cn unknown (from "edumon@x.cn")',
      failedCount: 1,
    });
    expect(v.details.reply).toBe('550 5.1.1 <address>: Recipient address rejected: <address> unknown (from "<address>")');
  });
});
