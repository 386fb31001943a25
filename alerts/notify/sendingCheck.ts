/**
 * The sending side of `edumon notify check` and of `edumon run`'s start: whether the From is one
 * the provider accepts for the login, whether the session is encrypted, whether the server answers
 * EHLO and takes the login, and whether it can take the contacts' addresses (SMTPUTF8), all
 * without sending an email. fromProblem is pure; sendingCheck asks the server (smtpProbe.ts).
 */
import type { Config } from '../../core/config.ts';
import { localPartNeedsSmtpUtf8, parseMailbox } from '../../core/mailAddress.ts';
import { probeSmtp, type SmtpProbe } from './smtpProbe.ts';

/**
 * Providers whose servers refuse a From other than the login, by the domain of their SMTP host or
 * of the login (the list of issue 21). Their reply, as issue 21 quotes QQ and 163:
 * `501 mail from address must be same as authorization user`.
 */
export const FROM_MUST_BE_LOGIN: ReadonlyArray<{ provider: string; domains: readonly string[] }> = [
  { provider: '腾讯企业邮 exmail.qq.com', domains: ['exmail.qq.com'] },
  { provider: 'QQ 邮箱 qq.com', domains: ['qq.com', 'foxmail.com'] },
  { provider: '网易 163.com', domains: ['163.com'] },
  { provider: '网易 126.com', domains: ['126.com'] },
  { provider: '阿里云 aliyun', domains: ['aliyun.com', 'mxhichina.com', 'aliyun-inc.com'] },
];

/** The refusal those servers give. */
export const FROM_REFUSAL = '501 mail from address must be same as authorization user';

const within = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** The provider of FROM_MUST_BE_LOGIN that the SMTP host or the login belongs to, if any. */
export function providerOf(smtpUrl: string | undefined, smtpUser: string | undefined): string | null {
  const hosts = [smtpUrl ? new URL(smtpUrl).hostname.toLowerCase() : '', (smtpUser ?? '').split('@')[1]?.toLowerCase() ?? ''].filter(Boolean);
  return FROM_MUST_BE_LOGIN.find((p) => p.domains.some((d) => hosts.some((h) => within(h, d))))?.provider ?? null;
}

/**
 * Why the configured From would be refused (null: it would not, as far as is known): at a
 * provider of FROM_MUST_BE_LOGIN, no login, or a From address other than the login.
 */
export function fromProblem(notify: Pick<Config['notify'], 'smtpUrl' | 'smtpUser' | 'from'>): string | null {
  const provider = providerOf(notify.smtpUrl, notify.smtpUser);
  if (!provider) return null;
  const from = parseMailbox(notify.from).address;
  if (!notify.smtpUser) return `${provider} 需要登录，发件人须为登录账号 / ${provider} needs a login (EDUMON_SMTP_USER) and the From must be it`;
  if (from.toLowerCase() === notify.smtpUser.toLowerCase()) return null;
  return (
    `发件人 ${from} 与登录账号 ${notify.smtpUser} 不同，${provider} 会拒收每封邮件（${FROM_REFUSAL}）；请将 EDUMON_MAIL_FROM 设为 ${notify.smtpUser} / ` +
    `the From ${from} is not the login ${notify.smtpUser}: ${provider} refuses every email with '${FROM_REFUSAL}'; set EDUMON_MAIL_FROM to ${notify.smtpUser}`
  );
}

/** The sending side as the check reports it. */
export interface SendingCheck {
  /** The server (never its login or password); null: notify.smtpUrl is unset and nothing is sent. */
  server: string | null;
  /** The From's address and display name. */
  from: { name: string; address: string };
  login: string | null;
  /** The provider that requires From = login, if the server or login is one. */
  provider: string | null;
  /** What the server answered (null when no server is set). */
  probe: SmtpProbe | null;
  /** Every problem found, each saying what to change; empty: mail can go out. */
  problems: string[];
  /** What works but deserves a look (a session without TLS: emails travel in clear; EDUMON_SMTP_REQUIRE_TLS refuses it). */
  notes: string[];
}

/**
 * Checks the sending side of `notify`: the From against the login (fromProblem), then, with a
 * server set, an EHLO (TLS as configured) and the login, without sending; contacts whose address
 * needs SMTPUTF8 when the server does not offer it. Never throws for what the server does.
 */
export async function sendingCheck(notify: Config['notify']): Promise<SendingCheck> {
  const problems: string[] = [];
  const fromIssue = fromProblem(notify);
  if (fromIssue) problems.push(fromIssue);
  const base = { from: parseMailbox(notify.from), login: notify.smtpUser ?? null, provider: providerOf(notify.smtpUrl, notify.smtpUser) };
  const notes: string[] = [];
  if (!notify.smtpUrl) return { server: null, ...base, probe: null, problems, notes };
  const url = new URL(notify.smtpUrl);
  const server = `${url.protocol}//${url.host}`;
  const probe = await probeSmtp(notify);
  if (!probe.ehlo.ok) problems.push(`SMTP 服务器 ${server} 无法连接或 EHLO 失败 / ${server}: ${probe.ehlo.reply}`);
  else {
    if (!probe.tls)
      notes.push(
        `与 ${server} 的连接未加密（无 TLS），邮件以明文传输 / the session with ${server} is not encrypted (no TLS): emails travel in clear (EDUMON_SMTP_REQUIRE_TLS=true refuses it)`,
      );
    if (probe.auth && !probe.auth.ok)
      problems.push(
        `登录被拒绝（QQ/163/126 须使用授权码而非登录密码）/ the login ${notify.smtpUser} was refused (QQ, 163, 126: use the authorization code 授权码, not the password): ${probe.auth.reply}`,
      );
    if (!probe.smtpUtf8) {
      const all = [...Object.values(notify.contacts).flat(), ...notify.escalation, ...notify.dataTeam];
      const utf8 = [...new Set(all.map((c) => c.email).filter(localPartNeedsSmtpUtf8))];
      if (localPartNeedsSmtpUtf8(base.from.address)) utf8.push(base.from.address);
      for (const a of utf8)
        problems.push(
          `${a}: @ 前含非 ASCII 字符，服务器不支持 SMTPUTF8，无法发送 / the part before the @ is not ASCII and ${server} does not offer SMTPUTF8 (RFC 6531)`,
        );
    }
  }
  return { server, ...base, probe, problems, notes };
}
