/**
 * Console passwords, hashed with scrypt (RFC 7914), node:crypto's memory-hard KDF: no native
 * package to build. Parameters N = 2^15, r = 8, p = 1 (32 MiB and about 0.1 s per hash on one
 * core: OWASP's Password Storage Cheat Sheet minimum for scrypt), a 16-byte random salt, a 32-byte
 * key. Stored as `scrypt$N$r$p$salt$hash` (salt and hash base64), so the parameters can be raised
 * later and old hashes still verify.
 */
import { randomBytes, randomInt, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { UsageError } from '../../core/errors.ts';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
/** Shortest password accepted: NIST SP 800-63B §5.1.1.2 asks at least 8 characters. */
export const MIN_PASSWORD_CHARS = 10;

const derive = (password: string, salt: Buffer, n: number, r: number, p: number, bytes: number) =>
  new Promise<Buffer>((resolve, reject) => {
    // maxmem above 128·N·r (32 MiB), which is node's default ceiling exactly.
    const options: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 };
    scrypt(password.normalize('NFKC'), salt, bytes, options, (err, key) => (err ? reject(err) : resolve(key)));
  });

/** The stored form of `password`; a UsageError when it is shorter than MIN_PASSWORD_CHARS. */
export async function hashPassword(password: string): Promise<string> {
  if ([...password].length < MIN_PASSWORD_CHARS) {
    throw new UsageError(`口令至少 ${MIN_PASSWORD_CHARS} 个字符 / a password needs at least ${MIN_PASSWORD_CHARS} characters`);
  }
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P, KEY_BYTES);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` matches `stored` (a hashPassword result); false for any malformed stored value. Constant time in the key. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  if (expected.length === 0) return false;
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p), expected.length).catch(() => null);
  return key !== null && timingSafeEqual(key, expected);
}

/** A password to print once (demo users, a reset): 16 characters of an alphabet without look-alikes (no 0/O, 1/l/I). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from({ length: 16 }, () => alphabet[randomInt(alphabet.length)]).join('');
}
