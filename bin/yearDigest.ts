/**
 * The city's digest of one week of the simulator's year, built the way the service builds it: a
 * Jiaozuo year simulated (ingest/simulate, seed 1) into `dir`, stored through the real decode,
 * pseudonymise and sink path into `dir`/edumon.duckdb, the digest composed from that warehouse and
 * rendered in Chinese. For the README's picture (bin/screenshotDigest.ts) and the test that shows
 * it in a browser (tests/integration/digestYear.test.ts). Throws on an event the simulator made
 * that the contract refuses (a simulator bug).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDigests, digestRendering } from '../alerts/digest/digestEmails.ts';
import type { RenderedDigest } from '../alerts/digest/model.ts';
import { renderDigest } from '../alerts/digest/render.ts';
import { parseIsoWeek } from '../alerts/digest/week.ts';
import type { Config } from '../core/config.ts';
import { connect, openWarehouse } from '../core/db.ts';
import { EdumonError } from '../core/errors.ts';
import { CITY_CODE } from '../core/regions.ts';
import { type ContractEvent, families } from '../ingest/contract.ts';
import { decodeObject } from '../ingest/decode.ts';
import { createPseudonymizer, pseudonymizeEvent } from '../ingest/pseudonymize.ts';
import { defaultOptions } from '../ingest/simulate/options.ts';
import { simulate } from '../ingest/simulate/simulate.ts';
import { migrate } from '../pipeline/migrate.ts';
import { Sink } from '../pipeline/sink.ts';

/** What to build: the simulator's scale (0.1: a tenth of Jiaozuo's schools), the ISO week, the pseudonym key. */
export interface YearDigestOptions {
  scale: number;
  week: string;
  pseudonymKey: string;
}

/** The city's digest of `opts.week` of a simulated year (composed as of the Monday after it), rendered. */
export async function yearDigest(dir: string, config: Config, opts: YearDigestOptions): Promise<RenderedDigest> {
  const pseudonym = createPseudonymizer(opts.pseudonymKey);
  simulate({ options: { ...defaultOptions, scale: opts.scale }, outDir: dir, pseudonymize: pseudonym, admissionTopic: 'edu.admission' });
  const instance = await openWarehouse(join(dir, 'edumon.duckdb'));
  const conn = await connect(instance);
  try {
    await migrate(conn);
    const sink = await Sink.open(conn);
    for (const family of families) {
      const events: ContractEvent[] = [];
      for (const line of readFileSync(join(dir, `${family}.jsonl`), 'utf8').split('\n')) {
        if (!line) continue;
        const d = decodeObject(JSON.parse(line), family);
        if (!d.ok) throw new EdumonError(`the simulator made an event the contract refuses (${family}.jsonl): ${d.reason}`);
        events.push(pseudonymizeEvent(d.event, pseudonym) as ContractEvent);
      }
      await sink.write([{ topic: `edu.${family}`, partition: 0, nextOffset: BigInt(events.length), events, rejections: [] }]);
    }
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
