/**
 * The key that signs the links in alert emails (alerts/notify/alertLinks.ts): a secret of its own,
 * never the pseudonym key, so a leaked link key reveals no pseudonym and a leaked pseudonym key
 * forges no link.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from './config.ts';
import { EdumonError, messageOf } from './errors.ts';

/** Shortest key a key file may hold, in characters: what config.ts asks of console.linkKey. */
const MIN_CHARS = 32;

/** The key of an in-memory warehouse: one per process, so the links it signs verify in the same process. */
let memoryKey: string | undefined;

/**
 * The link key, as text: config.console.linkKey if set, else the one kept beside the warehouse in
 * `<warehouse>.link-key` (32 random bytes as 64 hex digits, mode 0600, created when missing), else
 * for a ':memory:' warehouse a random key for the life of the process. Throws EdumonError when the
 * key file holds under 32 characters (restore it, or set EDUMON_CONSOLE_LINK_KEY), cannot be read or
 * written, or when the key is the pseudonym key.
 */
export function resolveLinkKey(config: Pick<Config, 'warehouse' | 'pseudonymKey'> & { console: Pick<Config['console'], 'linkKey'> }): string {
  const key = config.console.linkKey ?? keptKey(config.warehouse);
  if (key === config.pseudonymKey) {
    throw new EdumonError('the console link key is the pseudonym key: give EDUMON_CONSOLE_LINK_KEY a secret of its own');
  }
  return key;
}

function keptKey(warehouse: string): string {
  if (warehouse === ':memory:') {
    memoryKey ??= randomBytes(32).toString('hex');
    return memoryKey;
  }
  const file = `${warehouse}.link-key`;
  if (!existsSync(file)) {
    const fresh = randomBytes(32).toString('hex');
    // Written whole under a name of its own, then linked into place: of two processes creating the
    // key at once, one link wins and the other reads that key, never a half-written file.
    const draft = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(draft, `${fresh}\n`, { mode: 0o600 });
      chmodSync(draft, 0o600);
      linkSync(draft, file);
      return fresh;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new EdumonError(`link key file ${file}: ${messageOf(err)}`, { cause: err });
    } finally {
      rmSync(draft, { force: true });
    }
  }
  let key: string;
  try {
    key = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new EdumonError(`link key file ${file}: ${messageOf(err)}`, { cause: err });
  }
  if (key.length < MIN_CHARS) {
    throw new EdumonError(`link key file ${file} holds no usable key (under ${MIN_CHARS} characters); restore it, or set EDUMON_CONSOLE_LINK_KEY`);
  }
  return key;
}
