/**
 * When an SMTP session must be encrypted, and what to say when it cannot be: a login is never
 * sent in clear (a man in the middle can strip STARTTLS from a server's greeting) unless
 * notify.smtpAllowInsecureAuth says so; notify.smtpRequireTls asks for TLS even without one.
 */
import type { Config } from '../../core/config.ts';

type TlsSettings = Pick<Config['notify'], 'smtpUser' | 'smtpRequireTls' | 'smtpAllowInsecureAuth'>;

/** Why nothing was sent to a server that offers no STARTTLS while a login is set: what to change, option by option. */
export const INSECURE_AUTH_REFUSED =
  '服务器未提供 STARTTLS，未在明文连接上发送登录密码 / the SMTP server offers no STARTTLS: the login (notify.smtpUser) is not sent on a connection without TLS; ' +
  'use smtps://host:465 or a server offering STARTTLS, or allow it with EDUMON_SMTP_ALLOW_INSECURE_AUTH=true (notify.smtpAllowInsecureAuth)';
/** Why nothing was sent to a server without TLS under smtpRequireTls. */
export const TLS_REQUIRED = '服务器未提供 STARTTLS / the SMTP server offers no STARTTLS and TLS is required (EDUMON_SMTP_REQUIRE_TLS, notify.smtpRequireTls)';

/** Whether a connection must be TLS (smtps://, or STARTTLS on smtp://): required, or a login is set and sending it in clear is not allowed. */
export function tlsRequired(s: TlsSettings): boolean {
  return s.smtpRequireTls || (s.smtpUser !== undefined && !s.smtpAllowInsecureAuth);
}

/** The reply recorded when TLS could not be had: which setting asked for it. */
export function tlsRefusal(s: TlsSettings): string {
  return s.smtpRequireTls ? TLS_REQUIRED : INSECURE_AUTH_REFUSED;
}
