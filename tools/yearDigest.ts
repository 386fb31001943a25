/**
 * Digests of weeks of the simulator's year, built the way the service builds them: a Jiaozuo year
 * simulated into `dir` and stored through the real decode, pseudonymise and sink path into
 * `dir`/edumon.duckdb (tools/storeSimulated.ts), each digest composed from that warehouse and
 * rendered in Chinese. For the README's picture (tools/screenshotDigest.ts) and the tests that show
 * it in a browser and check the year end (tests/integration/digestYear.test.ts). Throws on an event
 * the simulator made that the contract refuses (a simulator bug).
 */
import { join } from 'node:path';
import { buildDigests, digestRendering } from '../alerts/digest/digestEmails.ts';
import type { Digest, RenderedDigest } from '../alerts/digest/model.ts';
import { renderDigest } from '../alerts/digest/render.ts';
import { parseIsoWeek } from '../alerts/digest/week.ts';
import type { Config } from '../core/config.ts';
import { connect, openWarehouse } from '../core/db.ts';
import { CITY_CODE } from '../core/regions.ts';
import { storeSimulated } from './storeSimulated.ts';

/** What to build: the simulator's scale (0.1: a tenth of Jiaozuo's schools), the ISO week, the pseudonym key. */
export interface YearDigestOptions {
  scale: number;
  week: string;
  pseudonymKey: string;
}

/** The city's digest of `opts.week` of a simulated year (composed as of the Monday after it), rendered. */
export async function yearDigest(dir: string, config: Config, opts: YearDigestOptions): Promise<RenderedDigest> {
  const [built] = await yearDigests(dir, config, { ...opts, digests: [{ week: opts.week, scope: CITY_CODE }] });
  return built!.rendered;
}

/** One digest to build: an ISO week (`2026-W01`) and the scope region whose reader receives it (410800: the city). */
export interface YearDigestWanted {
  week: string;
  scope: string;
}

/**
 * Simulates and stores the year once, then builds each of `opts.digests` (composed as of the
 * Monday after its week, rendered in Chinese for a reader of its scope; the digests of one week
 * built together, its figures and rules computed once): the digest and its rendering, in the
 * order asked.
 */
export async function yearDigests(
  dir: string,
  config: Config,
  opts: { scale: number; pseudonymKey: string; digests: readonly YearDigestWanted[] },
): Promise<Array<YearDigestWanted & { digest: Digest; rendered: RenderedDigest }>> {
  const instance = await openWarehouse(join(dir, 'edumon.duckdb'));
  const conn = await connect(instance);
  try {
    await storeSimulated(conn, dir, opts);
    const rendering = digestRendering(config);
    const readerOf = (scope: string) => ({
      contact: { id: `reader-${scope}`, name: '教育局', email: `${scope}@example.cn`, minSeverity: 'info' as const, language: 'zh-CN' as const },
      scope,
    });
    // One build per week, for every scope asked of it: the week's figures and rules computed once.
    const built = new Map<string, Digest>();
    for (const label of new Set(opts.digests.map((d) => d.week))) {
      const week = parseIsoWeek(label);
      const scopes = opts.digests.filter((d) => d.week === label).map((d) => d.scope);
      for (const b of await buildDigests(conn, config, week, scopes.map(readerOf), new Date(week.end))) built.set(`${label} ${b.recipient.scope}`, b.digest);
    }
    const out: Array<YearDigestWanted & { digest: Digest; rendered: RenderedDigest }> = [];
    for (const wanted of opts.digests) {
      const digest = built.get(`${wanted.week} ${wanted.scope}`)!;
      out.push({ ...wanted, digest, rendered: await renderDigest(digest, rendering('zh-CN', wanted.scope)) });
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
