/** Named SQL statements of a folder under sql/, one file each, loaded by name. */
import { sqlText } from './db.ts';

/**
 * The text of sql/<folder>/<name>.sql for each name, read at once: a module calling this at
 * import fails at start-up, naming the missing file, rather than on first use.
 */
export function sqlStatements<const N extends string>(folder: string, names: readonly N[]): Record<N, string> {
  return Object.fromEntries(names.map((name) => [name, sqlText(`${folder}/${name}`)])) as Record<N, string>;
}
