/** The project's folder, where the files read at run time are: sql/, infra/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The nearest folder holding package.json, upwards from this module's: core/ in the sources, or
 * build/<id>/ in the compiled CLI (infra/build.mjs), so both read the same sql/ and infra/.
 */
export const PROJECT_ROOT = projectRootFrom(import.meta.dirname);

function projectRootFrom(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${start} or any folder above it`);
  }
}
