import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertLinks, signAckLink, verifyAckLink } from '../../alerts/notify/alertLinks.ts';
import { rng as seeded } from '../../core/rng.ts';

const KEY = 'link-key-0123456789abcdef0123456789abcdef';
const OTHER_KEY = 'link-key-fedcba9876543210fedcba9876543210';
const EXPIRES = new Date('2025-07-19T02:55:10Z');
const BEFORE = new Date('2025-07-15T00:00:00Z');
const claim = { alertId: '9f86d081884c7d65', contactId: 'wuzhi', expiresAt: EXPIRES };

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
/** A token signed with KEY over a payload of our choosing. */
const forged = (json: string) => `${b64(json)}.${createHmac('sha256', KEY).update(b64(json)).digest('base64url')}`;

describe('signAckLink and verifyAckLink', () => {
  it('signs `<base64url JSON {a,c,e}>.<base64url HMAC-SHA256>` and verifies it back to the alert, the contact and the expiry', () => {
    const token = signAckLink(claim, KEY);
    const [payload, sig] = token.split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'))).toEqual({ a: '9f86d081884c7d65', c: 'wuzhi', e: 1752893710 });
    expect(sig).toBe(createHmac('sha256', KEY).update(payload!).digest('base64url'));
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyAckLink(token, KEY, BEFORE)).toEqual({ ok: true, ...claim });
  });

  it('is deterministic: the same alert, contact and expiry give the same token', () => {
    expect(signAckLink(claim, KEY)).toBe(signAckLink({ ...claim }, KEY));
    expect(signAckLink(claim, KEY)).not.toBe(signAckLink({ ...claim, contactId: 'city' }, KEY));
  });

  it('keeps a link valid up to its expiry and refuses it from then on, by the second', () => {
    const token = signAckLink(claim, KEY);
    expect(verifyAckLink(token, KEY, new Date(EXPIRES.getTime() - 1000)).ok).toBe(true);
    expect(verifyAckLink(token, KEY, EXPIRES)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyAckLink(token, KEY, new Date(EXPIRES.getTime() + 1000))).toEqual({ ok: false, reason: 'expired' });
    // A clock that reads no time cannot prove a link unexpired.
    expect(verifyAckLink(token, KEY, new Date(Number.NaN))).toEqual({ ok: false, reason: 'expired' });
  });

  it('cuts the expiry to whole seconds', () => {
    const token = signAckLink({ ...claim, expiresAt: new Date('2025-07-19T02:55:10.999Z') }, KEY);
    expect(verifyAckLink(token, KEY, BEFORE)).toMatchObject({ ok: true, expiresAt: EXPIRES });
  });

  it('refuses a token signed with another key, and one whose payload was changed', () => {
    const token = signAckLink(claim, KEY);
    expect(verifyAckLink(token, OTHER_KEY, BEFORE)).toEqual({ ok: false, reason: 'tampered' });
    // Another alert's payload under this alert's signature; a later expiry likewise.
    const [, sig] = token.split('.');
    for (const json of ['{"a":"0000000000000000","c":"wuzhi","e":1752893710}', '{"a":"9f86d081884c7d65","c":"wuzhi","e":1900000000}']) {
      expect(verifyAckLink(`${b64(json)}.${sig}`, KEY, BEFORE)).toEqual({ ok: false, reason: 'tampered' });
    }
  });

  it('refuses every single-character change of a token', () => {
    const token = signAckLink(claim, KEY);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < token.length; i++) {
      for (const c of [alphabet[(alphabet.indexOf(token[i]!) + 1) % alphabet.length]!, '=', '+', '/', ' ']) {
        const changed = token.slice(0, i) + c + token.slice(i + 1);
        const v = verifyAckLink(changed, KEY, BEFORE);
        expect(v.ok, `${i}: ${changed}`).toBe(false);
      }
    }
  });

  it('calls anything not shaped `<base64url>.<base64url>` malformed', () => {
    const token = signAckLink(claim, KEY);
    for (const bad of ['', '.', 'abc', 'abc.', '.abc', 'a.b.c', `${token}.`, `${token}=`, `${token} `, `a b.c`, 'é.é', '\u0000.\u0000']) {
      expect(verifyAckLink(bad, KEY, BEFORE), JSON.stringify(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
    for (const notString of [undefined, null, 42, {}, [token], Buffer.from(token)]) {
      expect(verifyAckLink(notString, KEY, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(verifyAckLink(`${'a'.repeat(5000)}.b`, KEY, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('calls a correctly signed payload that is not a claim malformed', () => {
    for (const json of [
      'not json',
      'null',
      '[]',
      '"a"',
      '{}',
      '{"a":"x","c":"y"}',
      '{"a":"","c":"y","e":1900000000}',
      '{"a":"x","c":"","e":1900000000}',
      '{"a":1,"c":"y","e":1900000000}',
      '{"a":"x","c":"y","e":"1900000000"}',
      '{"a":"x","c":"y","e":1900000000.5}',
      '{"a":"x","c":"y","e":1e300}',
    ]) {
      expect(verifyAckLink(forged(json), KEY, BEFORE), json).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('never throws, whatever it is given (fuzzed)', () => {
    const { next: rng } = seeded(23);
    const token = signAckLink(claim, KEY);
    const pick = (s: string) => s[Math.floor(rng() * s.length)]!;
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\u0000é𠮷';
    const cases: string[] = [];
    for (let n = 0; n < 2000; n++) {
      const kind = n % 4;
      if (kind === 0) cases.push(Array.from({ length: Math.floor(rng() * 200) }, () => pick(chars)).join(''));
      else if (kind === 1) cases.push(token.slice(0, Math.floor(rng() * token.length)));
      else if (kind === 2) {
        const bytes = Buffer.from(token, 'ascii');
        bytes[Math.floor(rng() * bytes.length)]! ^= 1 << Math.floor(rng() * 8);
        cases.push(bytes.toString('latin1'));
      } else cases.push(`${randomBytes(Math.floor(rng() * 80)).toString('base64url')}.${randomBytes(32).toString('base64url')}`);
    }
    for (const t of cases) {
      const v = verifyAckLink(t, KEY, BEFORE);
      if (t !== token) expect(v.ok, t).toBe(false);
      expect(verifyAckLink(t, '', BEFORE).ok).toBe(false);
    }
  });

  it('refuses to sign an expiry that is no time', () => {
    expect(() => signAckLink({ ...claim, expiresAt: new Date(Number.NaN) }, KEY)).toThrow(/expiry is no time/);
  });
});

describe('alertLinks', () => {
  it("gives the alert's console page and its signed acknowledge link under the console's public address", () => {
    const links = alertLinks('https://edumon.jyj.example.cn/console/', '9f86d081884c7d65', 'wuzhi', EXPIRES, KEY);
    expect(links.view).toBe('https://edumon.jyj.example.cn/console/alerts/9f86d081884c7d65');
    expect(links.ack).toBe(`https://edumon.jyj.example.cn/console/l/${signAckLink(claim, KEY)}`);
    expect(alertLinks('https://edumon.jyj.example.cn', '9f86d081884c7d65', 'wuzhi', EXPIRES, KEY)).toEqual({
      view: 'https://edumon.jyj.example.cn/alerts/9f86d081884c7d65',
      ack: `https://edumon.jyj.example.cn/l/${signAckLink(claim, KEY)}`,
    });
  });

  it('URI-encodes an alert id in the view link; the acknowledge link carries it inside the token', () => {
    const links = alertLinks('http://127.0.0.1:8780', 'a/b?c#d 𠮷', 'wuzhi', EXPIRES, KEY);
    expect(links.view).toBe('http://127.0.0.1:8780/alerts/a%2Fb%3Fc%23d%20%F0%A0%AE%B7');
    const token = links.ack.slice('http://127.0.0.1:8780/l/'.length);
    expect(verifyAckLink(token, KEY, BEFORE)).toMatchObject({ ok: true, alertId: 'a/b?c#d 𠮷' });
  });
});
