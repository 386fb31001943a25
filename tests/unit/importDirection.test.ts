/**
 * Imports run one way: bin -> service -> {alerts, pipeline} -> ingest -> domain -> core. alerts/
 * and pipeline/ never import each other. Beside the layers: simulator/ (the stand-in for the
 * upstream systems) imports ingest/ and below, and only bin's simulate and demo commands, tools/,
 * bench/ and tests/ import it; infra/ (starting the local broker) imports core/ only, and only
 * bin/, tools/, bench/ and tests/ import it; tools/ (screenshots, doc generators, helpers for
 * bench and tests) may import any code, and only bench/ and tests/ import it; bench/ may import
 * anything but tests/; nothing outside tests/ imports tests/. Read from every .ts file's import
 * and export-from statements, static and dynamic, so a backwards import fails here naming both
 * files and the rule.
 */
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** The layered folders, top first: a folder may import its own files and those of folders further down. */
const LAYERS: readonly (readonly string[])[] = [['bin'], ['service'], ['alerts', 'pipeline'], ['ingest'], ['domain'], ['core']];
/** What simulator/ may import: ingest/ and the layers below it. */
const BELOW_SIMULATOR = ['ingest', 'domain', 'core'];
/** The only files and folders that import simulator/ (besides itself). */
const IMPORT_SIMULATOR = ['bin/commands/simulate.ts', 'bin/commands/demo.ts', 'tools', 'bench', 'tests'];
/** Folders whose imports are checked. */
const CHECKED = ['bench', 'tools', 'simulator', 'infra', ...LAYERS.flat()];

/** One import: a repository-relative file importing another. */
interface ImportEdge {
  from: string;
  to: string;
}

interface BackwardImport extends ImportEdge {
  rule: string;
}

const ONE_WAY = 'imports run bin -> service -> {alerts, pipeline} -> ingest -> domain -> core';

/** The imports that break the direction rules, each with the rule it breaks. */
function backwardImports(edges: readonly ImportEdge[]): BackwardImport[] {
  const top = (file: string) => file.split('/')[0] ?? '';
  const rank = (folder: string) => LAYERS.findIndex((l) => l.includes(folder));
  const broken = (edge: ImportEdge): string | null => {
    const [from, to] = [top(edge.from), top(edge.to)];
    if (from === to) return null;
    if (to === 'tests') return `${from}/ never imports tests/ (tests import the code, not the reverse)`;
    if (from === 'bench') return null;
    if (to === 'bench') return `only bench/ imports bench/`;
    if (to === 'tools') return from === 'tests' ? null : 'only bench/ and tests/ import tools/ (helpers, not commands)';
    if (from === 'tools') return null;
    if (to === 'simulator') {
      const allowed = IMPORT_SIMULATOR.some((p) => edge.from === p || top(edge.from) === p);
      return allowed ? null : `only ${IMPORT_SIMULATOR.join(', ')} import simulator/`;
    }
    if (from === 'simulator') return BELOW_SIMULATOR.includes(to) ? null : `simulator/ imports only ${BELOW_SIMULATOR.join(', ')}`;
    if (to === 'infra') return ['bin', 'tests'].includes(from) ? null : 'only bin/, tools/, bench/ and tests/ import infra/';
    if (from === 'infra') return to === 'core' ? null : 'infra/ imports only core/';
    const [a, b] = [rank(from), rank(to)];
    if (a < 0 || b < 0) return `${from}/ may not import ${to}/: ${to}/ is outside the layered folders (${ONE_WAY})`;
    if (a === b) return `${from}/ and ${to}/ never import each other (${ONE_WAY})`;
    if (a > b) return `${from}/ may not import ${to}/: ${ONE_WAY}`;
    return null;
  };
  return edges.flatMap((e) => {
    const rule = broken(e);
    return rule ? [{ ...e, rule }] : [];
  });
}

/**
 * The relative module specifiers a source text imports: `import ... from`, `import type`,
 * `export ... from`, side-effect `import '...'` and dynamic `import('...')`. Comments are skipped.
 */
function importedSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  const statement = /(?:^|[;}\s])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g;
  const dynamic = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const re of [statement, dynamic]) for (const m of code.matchAll(re)) specs.push(m[1]!);
  return specs.filter((s) => s.startsWith('.'));
}

/** Every import edge of the .ts files under `folders` of the repository at `root`. */
function importEdges(root: string, folders: readonly string[]): ImportEdge[] {
  const files = folders.flatMap((f) => tsFiles(join(root, f)));
  return files.flatMap((file) => {
    const from = relative(root, file).split('\\').join('/');
    return importedSpecifiers(readFileSync(file, 'utf8')).map((spec) => ({ from, to: posix.normalize(posix.join(posix.dirname(from), spec)) }));
  });
}

function tsFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'results' ? [] : tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const describeEdge = (v: BackwardImport) => `${v.from} imports ${v.to}: ${v.rule}`;

describe('import direction', () => {
  it('every import of bin, service, alerts, pipeline, ingest, domain, core, simulator, infra, tools and bench runs one way', () => {
    const edges = importEdges(ROOT, CHECKED);
    expect(edges.length).toBeGreaterThan(100);
    expect(backwardImports(edges).map(describeEdge)).toEqual([]);
  });

  it('fails on a backwards import, naming the importing file, the imported file and the rule', () => {
    const edges: ImportEdge[] = [
      { from: 'bin/commands/run.ts', to: 'service/run.ts' },
      { from: 'service/run.ts', to: 'alerts/applyRules.ts' },
      { from: 'alerts/applyRules.ts', to: 'core/db.ts' },
      { from: 'bench/rules.ts', to: 'alerts/runRules.ts' },
      { from: 'core/db.ts', to: 'service/client.ts' },
      { from: 'pipeline/sink.ts', to: 'alerts/rules.ts' },
      { from: 'ingest/decode.ts', to: 'pipeline/sink.ts' },
      { from: 'ingest/decode.ts', to: 'domain/contract.ts' },
      { from: 'domain/contract.ts', to: 'ingest/decode.ts' },
      { from: 'core/config.ts', to: 'domain/topics.ts' },
      { from: 'bin/commands/demo.ts', to: 'simulator/simulate.ts' },
      { from: 'bin/commands/run.ts', to: 'simulator/simulate.ts' },
      { from: 'alerts/rules.ts', to: 'simulator/truth.ts' },
      { from: 'simulator/publishOut.ts', to: 'ingest/publish.ts' },
      { from: 'simulator/truth.ts', to: 'alerts/rules.ts' },
      { from: 'bin/commands/demo.ts', to: 'infra/kafka/ensureBroker.ts' },
      { from: 'service/run.ts', to: 'infra/kafka/ensureBroker.ts' },
      { from: 'infra/kafka/ensureBroker.ts', to: 'ingest/publish.ts' },
      { from: 'tools/yearDigest.ts', to: 'alerts/digest/render.ts' },
      { from: 'bench/simulatedWarehouse.ts', to: 'tools/storeSimulated.ts' },
      { from: 'bin/commands/digest.ts', to: 'tools/yearDigest.ts' },
      { from: 'bench/ingest.ts', to: 'tests/fixtures/events.ts' },
      { from: 'alerts/rules.ts', to: 'bench/common.ts' },
    ];
    expect(backwardImports(edges).map(describeEdge)).toEqual([
      `core/db.ts imports service/client.ts: core/ may not import service/: ${ONE_WAY}`,
      `pipeline/sink.ts imports alerts/rules.ts: pipeline/ and alerts/ never import each other (${ONE_WAY})`,
      `ingest/decode.ts imports pipeline/sink.ts: ingest/ may not import pipeline/: ${ONE_WAY}`,
      `domain/contract.ts imports ingest/decode.ts: domain/ may not import ingest/: ${ONE_WAY}`,
      `core/config.ts imports domain/topics.ts: core/ may not import domain/: ${ONE_WAY}`,
      `bin/commands/run.ts imports simulator/simulate.ts: only ${IMPORT_SIMULATOR.join(', ')} import simulator/`,
      `alerts/rules.ts imports simulator/truth.ts: only ${IMPORT_SIMULATOR.join(', ')} import simulator/`,
      'simulator/truth.ts imports alerts/rules.ts: simulator/ imports only ingest, domain, core',
      'service/run.ts imports infra/kafka/ensureBroker.ts: only bin/, tools/, bench/ and tests/ import infra/',
      'infra/kafka/ensureBroker.ts imports ingest/publish.ts: infra/ imports only core/',
      'bin/commands/digest.ts imports tools/yearDigest.ts: only bench/ and tests/ import tools/ (helpers, not commands)',
      'bench/ingest.ts imports tests/fixtures/events.ts: bench/ never imports tests/ (tests import the code, not the reverse)',
      'alerts/rules.ts imports bench/common.ts: only bench/ imports bench/',
    ]);
  });

  it('reads static, type-only, export-from, side-effect and dynamic imports, and skips comments and packages', () => {
    const source = [
      "import { a } from '../core/a.ts';",
      "import type { B } from './b.ts';",
      'import {',
      '  c,',
      '  d,',
      "} from '../pipeline/c.ts';",
      "export { e } from '../ingest/e.ts';",
      "export * from './f.ts';",
      "import '../core/side.ts';",
      "const g = await import('../alerts/g.ts');",
      "import { z } from 'zod';",
      "import { readFileSync } from 'node:fs';",
      "// import { h } from '../service/h.ts';",
      "/* import { i } from '../service/i.ts'; */",
    ].join('\n');
    expect(importedSpecifiers(source).sort()).toEqual([
      '../alerts/g.ts',
      '../core/a.ts',
      '../core/side.ts',
      '../ingest/e.ts',
      '../pipeline/c.ts',
      './b.ts',
      './f.ts',
    ]);
  });
});
