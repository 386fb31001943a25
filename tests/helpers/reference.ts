/**
 * A reference warehouse built straight from the expected events through the same sink, with no
 * Kafka and no failures: what any run of the pipeline over the same load must equal.
 */
import { connect, openWarehouse } from '../../core/db.ts';
import type { ContractEvent } from '../../domain/contract.ts';
import { eventTables } from '../../domain/eventTables.ts';
import { createPseudonymizer, pseudonymizeEvent } from '../../ingest/pseudonymize.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';

export async function buildReference(file: string, events: ContractEvent[], key: string): Promise<void> {
  const instance = await openWarehouse(file);
  const conn = await connect(instance);
  await migrate(conn);
  const sink = await Sink.open(conn);
  const p = createPseudonymizer(key);
  for (let i = 0; i < events.length; i += 10_000) {
    await sink.write([
      { topic: 'reference', partition: 0, nextOffset: BigInt(i), events: events.slice(i, i + 10_000).map((e) => pseudonymizeEvent(e, p)), rejections: [] },
    ]);
  }
  conn.closeSync();
  instance.closeSync();
}

/** Rows that differ between two warehouses, per event table (ingested_at aside). */
export async function diffWarehouses(
  actual: string,
  reference: string,
): Promise<Record<string, { actual: number; reference: number; onlyActual: number; onlyReference: number }>> {
  const instance = await openWarehouse(':memory:');
  const conn = await instance.connect();
  await conn.run(`attach '${actual}' as a (read_only)`);
  await conn.run(`attach '${reference}' as r (read_only)`);
  const out: Record<string, { actual: number; reference: number; onlyActual: number; onlyReference: number }> = {};
  for (const table of eventTables) {
    const q = (sql: string) => conn.runAndReadAll(sql).then((r) => Number(r.getRows()[0]![0]));
    const cols = `* exclude (ingested_at)`;
    out[table] = {
      actual: await q(`select count(*) from a.${table}`),
      reference: await q(`select count(*) from r.${table}`),
      onlyActual: await q(`select count(*) from (select ${cols} from a.${table} except all select ${cols} from r.${table})`),
      onlyReference: await q(`select count(*) from (select ${cols} from r.${table} except all select ${cols} from a.${table})`),
    };
  }
  conn.closeSync();
  instance.closeSync();
  return out;
}
