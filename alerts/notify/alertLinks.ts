/**
 * The links an alert email gives each alert (issue 23): its page in the officials' console, and a
 * signed acknowledge link. Pure: no clock, no I/O; the key comes from core/linkKey.ts.
 *
 * An acknowledge link names the alert and the contact it was mailed to, and expires
 * (console.linkTtlDays after the email was composed). Its token is `<payload>.<sig>`: payload is
 * base64url(JSON `{"a":alertId,"c":contactId,"e":expiry in epoch seconds}`), sig is
 * base64url(HMAC-SHA256(key, payload)). It is not a password: it says which alert to show and who
 * was asked, nothing more.
 *
 * No link acts on GET. Mail scanners (Outlook Safe Links, QQ Mail's link check, antivirus
 * gateways) fetch every link in an email before the reader sees it, so the console answers a GET
 * of either link by showing the alert and, for the acknowledge link, a form the official submits
 * (POST) to acknowledge it; a GET changes nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EdumonError } from '../../core/errors.ts';

/** The two links of one alert in one email: absolute URLs, safe to put in an href once HTML-escaped. */
export interface AlertLinks {
  /** The alert's console page: `<base>/alerts/<alertId, URI-encoded>`; does not expire. */
  view: string;
  /** The signed acknowledge link: `<base>/l/<token>`; works until the token's expiry. */
  ack: string;
}

/** What an acknowledge link says. */
export interface AckClaim {
  alertId: string;
  contactId: string;
  /** When the link stops working (whole seconds). */
  expiresAt: Date;
}

/** An acknowledge token's verdict: what it names, or why it names nothing. */
export type AckVerdict =
  | ({ ok: true } & AckClaim)
  | {
      ok: false;
      /** malformed: not a token of this shape; tampered: not signed by this key (altered, forged, or another key's); expired: signed, but past its expiry. */
      reason: 'malformed' | 'tampered' | 'expired';
    };

/** A token's two parts: base64url characters only, no padding. */
const TOKEN = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/**
 * The acknowledge token for `claim` under `key`: `<payload>.<sig>` (see above), about 110
 * characters for a 16-character alert id and a short contact id. The expiry is cut to whole
 * seconds (floor). Throws EdumonError for an expiresAt that is no time.
 */
export function signAckLink(claim: AckClaim, key: string): string {
  const ms = claim.expiresAt.getTime();
  if (!Number.isFinite(ms)) throw new EdumonError(`ack link for alert ${claim.alertId}: the expiry is no time`);
  const payload = Buffer.from(JSON.stringify({ a: claim.alertId, c: claim.contactId, e: Math.floor(ms / 1000) }), 'utf8').toString('base64url');
  return `${payload}.${sigOf(payload, key)}`;
}

/**
 * Whether `token` is an acknowledge link signed with `key` and still valid at `now` (valid while
 * now < expiresAt; an invalid `now` counts as expired). The signature is checked in constant time
 * before the payload is read. Never throws, whatever it is given.
 */
export function verifyAckLink(token: unknown, key: string, now: Date): AckVerdict {
  try {
    const m = typeof token === 'string' && token.length <= 4096 ? TOKEN.exec(token) : null;
    if (!m) return { ok: false, reason: 'malformed' };
    const payload = m[1]!;
    const sig = m[2]!;
    const expected = Buffer.from(sigOf(payload, key), 'ascii');
    const given = Buffer.from(sig, 'ascii');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
    const claim = claimOf(payload);
    if (!claim) return { ok: false, reason: 'malformed' };
    const t = now instanceof Date ? now.getTime() : Number.NaN;
    if (!Number.isFinite(t) || t >= claim.expiresAt.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, ...claim };
  } catch {
    // Only a key that is no string can get here (createHmac refuses it): nothing it signed is valid.
    return { ok: false, reason: 'tampered' };
  }
}

/**
 * The view and acknowledge links of alert `alertId` mailed to `contactId`, under `base` (the
 * console's public address, console.publicUrl; a trailing slash is dropped), the acknowledge link
 * valid until `expiresAt`. Throws as signAckLink.
 */
export function alertLinks(base: string, alertId: string, contactId: string, expiresAt: Date, key: string): AlertLinks {
  return {
    view: alertViewLink(base, alertId),
    ack: `${base.replace(/\/+$/, '')}/l/${signAckLink({ alertId, contactId, expiresAt }, key)}`,
  };
}

/** The console page of alert `alertId` under `base` (as alertLinks' view): for a list whose reader is not known, who gets no acknowledge link. */
export function alertViewLink(base: string, alertId: string): string {
  return `${base.replace(/\/+$/, '')}/alerts/${encodeURIComponent(alertId)}`;
}

/** base64url(HMAC-SHA256(key, payload)): 43 characters. */
function sigOf(payload: string, key: string): string {
  return createHmac('sha256', key).update(payload, 'ascii').digest('base64url');
}

/** The claim a signed payload holds, or null if it is not one signAckLink writes. */
function claimOf(payload: string): AckClaim | null {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const { a, c, e } = v as Record<string, unknown>;
  if (typeof a !== 'string' || a === '' || typeof c !== 'string' || c === '') return null;
  if (typeof e !== 'number' || !Number.isSafeInteger(e) || Math.abs(e) > 8.64e12) return null;
  return { alertId: a, contactId: c, expiresAt: new Date(e * 1000) };
}
