/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`): self time per function (name + url +
 * line:column) and per source (node_modules package, project file, or V8 pseudo-node such as
 * (idle), (garbage collector), (program)); with --inclusive, the total (self + callees) time of
 * the named functions. Builtins such as JSON.parse are charged to their JS caller. (idle) on the
 * main thread is time spent waiting: for the network or for work on other threads (DuckDB).
 *
 *   node --import tsx bench/cpuprofile-top.ts [--top N] [--inclusive f,g,...] FILE.cpuprofile...
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function shortUrl(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

/** Where a function lives: a pseudo-node, node:internal, an npm package, or a project file. */
function sourceOf(name: string, url: string): string {
  if (!url) return name.startsWith('(') ? name : '(native / no url)';
  if (url.startsWith('node:')) return 'node: internals';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  return shortUrl(url);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string' }, inclusive: { type: 'string' } },
});
const top = Number(values.top ?? 30);
const inclusiveNames = (values.inclusive ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
if (positionals.length === 0) {
  process.stderr.write('usage: node --import tsx bench/cpuprofile-top.ts [--top N] [--inclusive f,g,...] FILE.cpuprofile...\n');
  process.exit(2);
}

const byFunction = new Map<string, number>();
const bySource = new Map<string, number>();
const inclusive = new Map<string, number>(inclusiveNames.map((n) => [n, 0]));
/** Samples with a frame of a project file (not node_modules, not node:) on the stack. */
const inclusiveByProjectFile = new Map<string, number>();
let totalUs = 0;
for (const file of positionals) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // Each sample's time delta is charged to the node sampled (V8's DevTools convention).
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    const dt = p.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber, columnNumber } = nodes.get(id)!.callFrame;
    const name = functionName || '(anonymous)';
    const key = url ? `${name}  ${shortUrl(url)}:${lineNumber + 1}:${columnNumber + 1}` : name;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const src = sourceOf(name, url);
    bySource.set(src, (bySource.get(src) ?? 0) + us);
    totalUs += us;
  }
  // Requested function names and project files on each sample's stack, each counted once per sample.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const [id, us] of selfUs) {
    const names = new Set<string>();
    const files = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const { functionName, url } = nodes.get(cur)!.callFrame;
      if (inclusive.has(functionName)) names.add(functionName);
      if (url.startsWith('file://') && !url.includes('/node_modules/')) files.add(shortUrl(url));
    }
    for (const name of names) inclusive.set(name, inclusive.get(name)! + us);
    for (const f of files) inclusiveByProjectFile.set(f, (inclusiveByProjectFile.get(f) ?? 0) + us);
  }
  process.stdout.write(`${file}: ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s profiled, ${p.samples.length} samples\n`);
}

const idleUs = bySource.get('(idle)') ?? 0;
const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const busyPct = (us: number) => `${((100 * us) / (totalUs - idleUs)).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(8)} ms`;

const table = (title: string, m: Map<string, number>, n: number) => {
  process.stdout.write(`\n${title}\n  (time, % of all samples, % of non-idle)\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    process.stdout.write(`${ms(us)} ${pct(us)} ${k === '(idle)' ? '      ' : busyPct(us)}  ${k}\n`);
  }
};
process.stdout.write(`\ntotal ${(totalUs / 1e6).toFixed(1)} s sampled, idle ${(idleUs / 1e6).toFixed(1)} s (${pct(idleUs).trim()})\n`);
table('by source', bySource, 20);
table(`top ${top} functions`, byFunction, top);
const incl = '(synchronous part: self + callees; after an await, a frame is not on the stack)';
table(`by project file, inclusive ${incl}`, inclusiveByProjectFile, 20);
if (inclusive.size > 0) table(`functions, inclusive ${incl}`, inclusive, inclusive.size);
