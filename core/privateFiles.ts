/**
 * Files edumon writes hold pseudonymised personal data (the warehouse, its WAL, DuckDB's spill
 * files), secrets (the pseudonym key, the service token) or raw ids (simulator output): only their
 * owner may read them. New files get that from the process umask; files an older edumon left
 * readable by others are tightened when a warehouse is opened read-write or an output folder reused.
 */
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EdumonError, messageOf } from './errors.ts';

/** Owner-only permissions for every file and folder this process creates from now on (DuckDB's included). */
export function createPrivateFiles(): void {
  process.umask(0o077);
}

/** Removes group and other permissions from a file or folder (and, with `recursive`, all it holds); a missing path is skipped. */
export function makePrivate(path: string, opts: { recursive?: boolean } = {}): void {
  if (!existsSync(path)) return;
  const stat = statSync(path);
  try {
    if (stat.mode & 0o077) chmodSync(path, stat.mode & 0o700);
  } catch (err) {
    throw new EdumonError(`${path} is readable by other users and cannot be made private (${messageOf(err)}): chmod go-rwx it as its owner`, { cause: err });
  }
  if (opts.recursive && stat.isDirectory()) for (const name of readdirSync(path)) makePrivate(join(path, name), opts);
}

/**
 * Makes a warehouse's files owner-only: the file, its `.wal`, DuckDB's spill folder (`.tmp`, its
 * default temp_directory), the pseudonym key, the link key and the service file.
 */
export function makeWarehousePrivate(warehouse: string): void {
  if (warehouse === ':memory:') return;
  for (const suffix of ['', '.wal', '.tmp', '.pseudonym-key', '.link-key', '.service.json']) makePrivate(warehouse + suffix, { recursive: true });
}
