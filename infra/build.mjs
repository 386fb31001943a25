// The compiled CLI: bin/edumon.ts and the sources it imports, bundled by esbuild into
// build/<id>/edumon.js, each lazily imported command its own chunk. build/current.json names the
// build and every file it was made from with its mtime and size (the sources esbuild read,
// package.json, package-lock.json, tsconfig.json, this file), so a launcher can tell in a few
// stats whether the build still says what the sources say.
// `node infra/build.mjs` (npm run build) builds unless the current build is up to date.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');
const BUILD = join(ROOT, 'build');
const CURRENT = join(BUILD, 'current.json');
/** Inputs esbuild does not report: what decides its output besides the sources. */
const CONFIG_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', relative(ROOT, fileURLToPath(import.meta.url))];
/** A replaced build is kept this long, for a process still running from it to load its chunks. */
const KEEP_REPLACED_MS = 3_600_000;

/** The mtime (ms) and size of a file under the root, or null if it is gone. */
function stamp(path) {
  const s = statSync(join(ROOT, path), { throwIfNoEntry: false });
  return s ? [s.mtimeMs, s.size] : null;
}

/**
 * The file URL of the current build's entry module, or null when there is none or any file it was
 * built from has changed (mtime or size) or gone since. Costs one read and a stat per input (150
 * or so: a few milliseconds).
 */
export function currentBuild() {
  try {
    const { dir, inputs } = JSON.parse(readFileSync(CURRENT, 'utf8'));
    for (const [path, mtimeMs, size] of inputs) {
      const now = stamp(path);
      if (!now || now[0] !== mtimeMs || now[1] !== size) return null;
    }
    const entry = join(BUILD, dir, 'edumon.js');
    return existsSync(entry) ? pathToFileURL(entry).href : null;
  } catch {
    // No build yet, or a current.json this launcher cannot read: build anew.
    return null;
  }
}

/**
 * The npm packages left to node_modules: all but zod. kafkajs must stay the one instance
 * core/codecs.ts patches, DuckDB and resvg are native; zod is loaded by every command (the
 * configuration's schema), and bundled it loads in one file instead of about 80 modules.
 */
function externalPackages() {
  const { dependencies, devDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return Object.keys({ ...dependencies, ...devDependencies }).filter((name) => name !== 'zod');
}

/**
 * Builds into a new build/<id>/ and makes it current (an atomic rename of current.json, so
 * launchers running at the same moment see the old build or the new one, never half of one);
 * returns the file URL of its entry module. Throws esbuild's error (already printed) if a source
 * does not compile.
 */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const started = Date.now();
  const dir = `${started.toString(36)}-${process.pid}`;
  const out = join(BUILD, dir);
  const { metafile } = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: { edumon: 'bin/edumon.ts' },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // The first Node 20 with import attributes: below it esbuild drops `with { type: 'json' }`.
    target: 'node20.10',
    external: externalPackages(),
    metafile: true,
    logLevel: 'error',
  });
  // A file changed while esbuild ran may be built as it was before: recorded as stale (mtime -1).
  // What the build took from node_modules is stamped by package-lock.json.
  const sources = Object.keys(metafile.inputs).filter((path) => !path.startsWith('node_modules/'));
  const inputs = [...sources, ...CONFIG_INPUTS].map((path) => {
    const [mtimeMs, size] = stamp(path) ?? [-1, -1];
    return [path, mtimeMs < started ? mtimeMs : -1, size];
  });
  const next = join(BUILD, `current.${dir}.json`);
  writeFileSync(next, JSON.stringify({ dir, inputs }));
  renameSync(next, CURRENT);
  pruneReplaced(dir);
  return pathToFileURL(join(out, 'edumon.js')).href;
}

/** Removes the builds other than `keep` older than KEEP_REPLACED_MS; one that cannot be removed (another user's) stays. */
function pruneReplaced(keep) {
  for (const entry of readdirSync(BUILD, { withFileTypes: true })) {
    const path = join(BUILD, entry.name);
    if (!entry.isDirectory() || entry.name === keep || Date.now() - statSync(path).mtimeMs <= KEEP_REPLACED_MS) continue;
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Not ours to remove: it only takes room.
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const current = currentBuild();
  if (current) console.log(`build: ${relative(ROOT, fileURLToPath(current))} is up to date`);
  else console.log(`build: built ${relative(ROOT, fileURLToPath(await build()))} in ${Math.round(performance.now() - t0)} ms`);
}
