/**
 * Issue 21, input 4, against a real smtp-server in-process and the real CLI: with a login set, the
 * password never goes over a connection without TLS unless notify.smtpAllowInsecureAuth says so
 * (`notify test` and `edumon run` say which option, the server sees no AUTH), STARTTLS is used
 * when offered, and `notify check` reports the sending side: From against the login for the
 * providers that require it, TLS, and the server's answer to EHLO and the login, sending nothing.
 */
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SendingCheck } from '../../alerts/notify/sendingCheck.ts';
import { runEdumon, spawnEdumon, waitFor } from '../helpers/cli.ts';
import { testEnv } from '../helpers/testEnv.ts';

const USER = 'edumon@qq.com';
const PASS = 'abcdefghijklmnop';

/** A mail server as a test plays it: what it was asked to log in with, and what it received. */
interface TestServer {
  url: string;
  auths: Array<{ user: string; pass: string; secure: boolean }>;
  mails: Array<{ from: string; to: string[] }>;
  stop(): Promise<void>;
}
const servers: TestServer[] = [];

/**
 * Starts smtp-server on loopback with AUTH PLAIN and LOGIN (also on plain connections: a server
 * that would take a password in clear), STARTTLS offered or not (its built-in self-signed
 * certificate), a login accepted for USER/PASS only, and a From other than the login refused with
 * QQ's reply.
 */
async function startServer(opts: { starttls: boolean }): Promise<TestServer> {
  const auths: TestServer['auths'] = [];
  const mails: TestServer['mails'] = [];
  const server = new SMTPServer({
    logger: false,
    closeTimeout: 100,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: opts.starttls ? [] : ['STARTTLS'],
    onAuth(auth, session, callback) {
      auths.push({ user: auth.username ?? '', pass: auth.password ?? '', secure: session.secure });
      if (auth.username === USER && auth.password === PASS) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid login or password'), { responseCode: 535 }));
    },
    onMailFrom(address, session, callback) {
      if (session.user && address.address !== session.user)
        return callback(Object.assign(new Error('mail from address must be same as authorization user'), { responseCode: 501 }));
      callback();
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) });
        callback(null, 'queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  const s: TestServer = {
    url: `smtp://127.0.0.1:${port}`,
    auths,
    mails,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  servers.push(s);
  return s;
}

const t = testEnv('smtp-login');
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
afterAll(() => rmSync(t.dir, { recursive: true, force: true }));

/** The environment of a deployment at QQ mail (login USER) on `url`. */
const qq = (url: string, extra: Record<string, string> = {}) => ({
  ...t.env,
  EDUMON_SMTP_URL: url,
  EDUMON_SMTP_USER: USER,
  EDUMON_SMTP_PASS: PASS,
  EDUMON_MAIL_FROM: `焦作市教育监测 <${USER}>`,
  EDUMON_SMTP_TIMEOUT_MS: '10000',
  ...extra,
});

describe('the SMTP login never travels in clear', () => {
  it('notify test: no AUTH on a server without STARTTLS; the error names EDUMON_SMTP_ALLOW_INSECURE_AUTH', async () => {
    const server = await startServer({ starttls: false });
    const r = await runEdumon(['notify', 'test', '--to', 'jyj@jiaozuo.example.cn'], qq(server.url));
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toContain('the SMTP server offers no STARTTLS: the login (notify.smtpUser) is not sent on a connection without TLS');
    expect(r.stderr).toContain('EDUMON_SMTP_ALLOW_INSECURE_AUTH=true (notify.smtpAllowInsecureAuth)');
    expect(r.stderr).not.toContain(PASS);
    expect(server.auths).toEqual([]);
    expect(server.mails).toEqual([]);
  });

  it('edumon run: says at start-up which option would allow it, and never sends the login', async () => {
    const server = await startServer({ starttls: false });
    const run = spawnEdumon(['run'], qq(server.url));
    try {
      await waitFor(() => run.output().includes('EDUMON_SMTP_ALLOW_INSECURE_AUTH'), 60_000, 'the start-up error').catch((err: Error) => {
        throw new Error(`${err.message}:\n${run.output()}`);
      });
      expect(run.output()).toContain('the sending side of alert email has a problem');
      expect(run.output()).not.toContain(PASS);
      expect(server.auths).toEqual([]);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('with EDUMON_SMTP_ALLOW_INSECURE_AUTH=true it logs in on the plain connection and the email is accepted', async () => {
    const server = await startServer({ starttls: false });
    const r = await runEdumon(['notify', 'test', '--to', 'jyj@jiaozuo.example.cn'], qq(server.url, { EDUMON_SMTP_ALLOW_INSECURE_AUTH: 'true' }));
    expect(r.code, r.output).toBe(0);
    expect(server.auths).toEqual([{ user: USER, pass: PASS, secure: false }]);
    expect(server.mails).toEqual([{ from: USER, to: ['jyj@jiaozuo.example.cn'] }]);
  });

  it('logs in inside STARTTLS when the server offers it', async () => {
    const server = await startServer({ starttls: true });
    const r = await runEdumon(['notify', 'test', '--to', 'jyj@jiaozuo.example.cn'], qq(server.url, { EDUMON_SMTP_VERIFY_CERTIFICATE: 'false' }));
    expect(r.code, r.output).toBe(0);
    expect(server.auths).toEqual([{ user: USER, pass: PASS, secure: true }]);
    expect(server.mails).toHaveLength(1);
  });
});

describe('notify check: the sending side', () => {
  const check = async (env: Record<string, string>) => {
    const r = await runEdumon(['notify', 'check', '--json'], env);
    return { code: r.code, output: r.output, sending: (JSON.parse(r.stdout) as { sending: SendingCheck }).sending };
  };

  it('a QQ login with another From: the 501 QQ gives, and nothing sent', async () => {
    const server = await startServer({ starttls: true });
    const env = qq(server.url, { EDUMON_SMTP_VERIFY_CERTIFICATE: 'false', EDUMON_MAIL_FROM: '焦作市教育局 <jyj@jiaozuo.example.cn>' });
    const { code, output, sending } = await check(env);
    expect(code, output).toBe(1);
    expect(sending.provider).toBe('QQ 邮箱 qq.com');
    expect(sending.problems).toHaveLength(1);
    expect(sending.problems[0]).toContain("refuses every email with '501 mail from address must be same as authorization user'");
    expect(sending.problems[0]).toContain(`set EDUMON_MAIL_FROM to ${USER}`);
    // The server was asked (EHLO in TLS, the login) but given nothing to send.
    expect(sending.probe).toMatchObject({ ehlo: { ok: true }, tls: true, auth: { ok: true } });
    expect(server.auths).toEqual([{ user: USER, pass: PASS, secure: true }]);
    expect(server.mails).toEqual([]);
    // The report, as a person reads it.
    const text = await runEdumon(['notify', 'check'], env);
    expect(text.stdout).toContain('发送端 Sending side');
    expect(text.stdout).toContain('  TLS: 已加密 encrypted');
    expect(text.stdout).toContain(`  登录 login: ${USER}：成功 accepted`);
    expect(text.stdout).toContain('  问题 problem: 发件人 jyj@jiaozuo.example.cn 与登录账号 edumon@qq.com 不同');
  });

  it('From = login, STARTTLS, login accepted: no problem, exit 0', async () => {
    const server = await startServer({ starttls: true });
    const { code, output, sending } = await check(qq(server.url, { EDUMON_SMTP_VERIFY_CERTIFICATE: 'false' }));
    expect(code, output).toBe(0);
    expect(sending.problems).toEqual([]);
    expect(sending.server).toBe(server.url);
    expect(server.mails).toEqual([]);
  });

  it('a server without STARTTLS: EHLO stops before the login, naming the option; a refused login says 授权码', async () => {
    const plain = await startServer({ starttls: false });
    const { code, sending } = await check(qq(plain.url));
    expect(code).toBe(1);
    expect(sending.probe?.ehlo.ok).toBe(false);
    expect(sending.problems.join('\n')).toContain('EDUMON_SMTP_ALLOW_INSECURE_AUTH=true');
    expect(plain.auths).toEqual([]);

    const tls = await startServer({ starttls: true });
    const wrong = await check(qq(tls.url, { EDUMON_SMTP_VERIFY_CERTIFICATE: 'false', EDUMON_SMTP_PASS: 'the-web-password' }));
    expect(wrong.code).toBe(1);
    expect(wrong.sending.probe?.auth).toMatchObject({ ok: false, code: 535 });
    expect(wrong.sending.problems.join('\n')).toContain('use the authorization code 授权码, not the password');
  });

  it('a server that is down: EHLO fails, said plainly', async () => {
    const server = await startServer({ starttls: false });
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
    const { code, sending } = await check({ ...t.env, EDUMON_SMTP_URL: server.url });
    expect(code).toBe(1);
    expect(sending.probe?.ehlo).toMatchObject({ ok: false, code: null });
    expect(sending.problems[0]).toMatch(/^SMTP 服务器 smtp:\/\/127\.0\.0\.1:\d+ 无法连接或 EHLO 失败/);
  });
});
