/**
 * A simulated Jiaozuo year in a warehouse, stored the way the service stores it: the simulator
 * (simulator/, seed 1) writes its JSON Lines into a folder, and every line goes through the
 * real decode, pseudonymise and sink path into a DuckDB file. For the README's digest picture
 * (tools/yearDigest.ts), the tests that check the analyst examples (sql/examples/) against the
 * simulator's own files, and the benchmarks' warehouses (bench/simulatedWarehouse.ts). Lives in tools/ because it needs both ingest/ and pipeline/ and is no command.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EdumonError } from '../core/errors.ts';
import type { Family } from '../domain/topics.ts';
import { families } from '../domain/topics.ts';
import { decodeObject } from '../ingest/decode.ts';
import { createPseudonymizer, pseudonymizeEvent, type StoredEvent } from '../ingest/pseudonymize.ts';
import { migrate } from '../pipeline/migrate.ts';
import { Sink } from '../pipeline/sink.ts';
import { defaultOptions } from '../simulator/options.ts';
import { type SimulateReport, simulate } from '../simulator/simulate.ts';

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
  await storeSimulatedFiles(conn, dir, opts.pseudonymKey);
  return report;
}

/** Most events one sink transaction takes: a scale-28 year (6.5 GB of JSON Lines) is streamed, never held whole. */
const BATCH = 50_000;

/**
 * Stores the simulator's files in `dir` ({registry,admission,enrollment,funding}.jsonl) on the
 * migrated warehouse behind `conn`, line by line through decode, pseudonymise (with
 * `pseudonymKey`) and the sink, in transactions of at most 50,000 events as partition 0 of
 * `edu.<family>`; `onFile` is told each file's line count when it is stored (progress). Throws
 * EdumonError on an event the contract refuses (a simulator bug).
 */
export async function storeSimulatedFiles(
  conn: DuckDBConnection,
  dir: string,
  pseudonymKey: string,
  onFile?: (family: Family, lines: number) => void,
): Promise<void> {
  const pseudonym = createPseudonymizer(pseudonymKey);
  const sink = await Sink.open(conn);
  for (const family of families) {
    let lines = 0;
    let events: StoredEvent[] = [];
    const flush = async () => {
      await sink.write([{ topic: `edu.${family}`, partition: 0, nextOffset: BigInt(lines), events, rejections: [] }]);
      events = [];
    };
    for await (const line of createInterface({ input: createReadStream(join(dir, `${family}.jsonl`)), crlfDelay: Infinity })) {
      lines++;
      if (!line) continue;
      const d = decodeObject(JSON.parse(line), family);
      if (!d.ok) throw new EdumonError(`the simulator made an event the contract refuses (${family}.jsonl:${lines}): ${d.reason}`);
      events.push(pseudonymizeEvent(d.event, pseudonym));
      if (events.length >= BATCH) await flush();
    }
    await flush();
    onFile?.(family, lines);
  }
}
