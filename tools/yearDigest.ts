/**
 * The city's digest of one week of the simulator's year, built the way the service builds it: a
 * Jiaozuo year simulated into `dir` and stored through the real decode, pseudonymise and sink path
 * into `dir`/edumon.duckdb (tools/storeSimulated.ts), the digest composed from that warehouse and
 * rendered in Chinese. For the README's picture (tools/screenshotDigest.ts) and the test that shows
 * it in a browser (tests/integration/digestYear.test.ts). Throws on an event the simulator made
 * that the contract refuses (a simulator bug).
 */
import { join } from 'node:path';
import { buildDigests, digestRendering } from '../alerts/digest/digestEmails.ts';
import type { RenderedDigest } from '../alerts/digest/model.ts';
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
  const instance = await openWarehouse(join(dir, 'edumon.duckdb'));
  const conn = await connect(instance);
  try {
    await storeSimulated(conn, dir, opts);
    const week = parseIsoWeek(opts.week);
    const reader = {
      contact: { id: 'city', name: '焦作市教育局', email: 'city@example.cn', minSeverity: 'info' as const, language: 'zh-CN' as const },
      scope: CITY_CODE,
    };
    const [built] = await buildDigests(conn, config, week, [reader], new Date(week.end));
    return await renderDigest(built!.digest, digestRendering(config)('zh-CN', CITY_CODE));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
