/**
 * Email addresses as SMTP carries them: RFC 5321 4.1.2 (a dot-string local part, a domain of
 * LDH labels) widened by RFC 6531 3.3 (UTF-8 in the local part, which only a server offering
 * SMTPUTF8 takes). An internationalised domain is sent as its A-labels (punycode, RFC 5891 4.4,
 * converted with node:url domainToASCII), so `jyj@教育局.中国` and `jyj@xn--…` are one mailbox.
 */
import { domainToASCII } from 'node:url';

/** A checked address: the form to send (domain in A-labels), or why it is not one. */
export type AddressCheck = { ok: true; address: string } | { ok: false; reason: string };

/** RFC 5322 3.2.3 atext, plus any non-ASCII character (RFC 6531 3.3 UTF8-non-ascii). */
const ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\u{10FFFF}-]+$/u;
/** An LDH label (RFC 1035 2.3.1, RFC 5891 4.2.3.1): letters, digits, inner hyphens, 1–63 octets. */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** RFC 5321 4.5.3.1.1 (local part) and 4.5.3.1.2 (domain), in octets. */
const MAX_LOCAL_OCTETS = 64;
const MAX_DOMAIN_OCTETS = 255;

/** Whether the text has a character outside US-ASCII. */
export const isNonAscii = (text: string): boolean => [...text].some((c) => (c.codePointAt(0) ?? 0) > 0x7f);

/**
 * Checks `text` as a mailbox `local@domain` and returns it as SMTP sends it: the domain in
 * lower-case A-labels (a Unicode domain converted to punycode), the local part as given. A
 * non-ASCII local part is accepted here (RFC 6531); whether a server takes it is decided when
 * sending (localPartNeedsSmtpUtf8). Refused, with the reason: no `@`, an empty, dotted-wrong or
 * quoted local part, over 64 octets, a domain that is not a host name or an address literal.
 */
export function checkAddress(text: string): AddressCheck {
  const at = text.lastIndexOf('@');
  if (at < 0) return { ok: false, reason: `'${text}' has no @` };
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (!local) return { ok: false, reason: `'${text}' has nothing before the @` };
  if (local.startsWith('"')) return { ok: false, reason: `'${text}': a quoted local part is not supported` };
  if (!local.split('.').every((atom) => ATOM.test(atom)))
    return { ok: false, reason: `'${text}': the part before the @ may hold letters, digits and !#$%&'*+/=?^_\`{|}~- between single dots (RFC 5321 4.1.2)` };
  if (Buffer.byteLength(local) > MAX_LOCAL_OCTETS)
    return { ok: false, reason: `'${text}': the part before the @ is over ${MAX_LOCAL_OCTETS} octets (RFC 5321 4.5.3.1.1)` };
  const ascii = domain.startsWith('[') ? '' : domainToASCII(domain);
  const labels = ascii.split('.');
  if (!ascii || ascii.length > MAX_DOMAIN_OCTETS || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? ''))
    return { ok: false, reason: `'${text}': '${domain}' is not a domain name` };
  return { ok: true, address: `${local}@${ascii}` };
}

/** Whether the address needs the server's SMTPUTF8 (RFC 6531): its local part is not ASCII (a domain is sent as punycode). */
export function localPartNeedsSmtpUtf8(address: string): boolean {
  return isNonAscii(address.slice(0, address.lastIndexOf('@')));
}

/** A From: the display name (as written, parentheses and all) and the checked address. */
export interface Mailbox {
  name: string;
  address: string;
}

/**
 * Reads a From setting, `Display Name <local@domain>`, `"Display Name" <local@domain>` or a bare
 * address (RFC 5322 3.4), keeping every character of the name: it is sent as one quoted or
 * encoded phrase, never read as a comment. Throws with the reason when the address is not one.
 */
export function parseMailbox(text: string): Mailbox {
  const m = /^(.*?)\s*<([^<>]*)>\s*$/s.exec(text.trim());
  let name = m ? m[1]!.trim() : '';
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  const checked = checkAddress(m ? m[2]!.trim() : text.trim());
  if (!checked.ok) throw new Error(checked.reason);
  return { name, address: checked.address };
}
