/**
 * A simulated Jiaozuo year in a warehouse, stored the way the service stores it: the simulator
 * (ingest/simulate, seed 1) writes its JSON Lines into a folder, and every line goes through the
 * real decode, pseudonymise and sink path into a DuckDB file. For the README's digest picture
 * (bin/yearDigest.ts) and the tests that check the analyst examples (sql/examples/) against the
 * simulator's own files. Lives in bin/ because it needs both ingest/ and pipeline/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EdumonError } from '../core/errors.ts';
import { type ContractEvent, families } from '../ingest/contract.ts';
import { decodeObject } from '../ingest/decode.ts';
import { createPseudonymizer, pseudonymizeEvent } from '../ingest/pseudonymize.ts';
import { defaultOptions } from '../ingest/simulate/options.ts';
import { type SimulateReport, simulate } from '../ingest/simulate/simulate.ts';
import { migrate } from '../pipeline/migrate.ts';
import { Sink } from '../pipeline/sink.ts';

/** What to simulate: the scale (0.1: a tenth of Jiaozuo's schools) and the pseudonym key the warehouse uses. */
export interface StoreSimulatedOptions {
  scale: number;
  pseudonymKey: string;
}

/**
 * Simulates the default year (2025, Asia/Shanghai) into `dir` ({registry,admission,enrollment,
 * funding}.jsonl and truth.json, raw ids included) and stores every event on `conn`, migrating it
 * first: one sink transaction per topic family, as partition 0 of `edu.<family>`. Returns the
 * simulator's report (event counts). Throws on an event the simulator made that the contract
 * refuses (a simulator bug).
 */
export async function storeSimulated(conn: DuckDBConnection, dir: string, opts: StoreSimulatedOptions): Promise<SimulateReport> {
  const pseudonym = createPseudonymizer(opts.pseudonymKey);
  const report = simulate({ options: { ...defaultOptions, scale: opts.scale }, outDir: dir, pseudonymize: pseudonym, admissionTopic: 'edu.admission' });
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
  return report;
}
