/**
 * Per-event cost of each pipeline stage, in-process and without Kafka, on N contract events:
 * decode (JSON + zod), pseudonymise (HMAC, cached), and the sink (appender + insert-or-ignore +
 * commit, in transactions of --batch events). Shows where the end-to-end time goes and what
 * ceiling they put on the end-to-end rate. Not a test.
 *
 *   node --import tsx bench/stages.ts [--events N] [--batch B]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, openWarehouse } from '../core/db.ts';
import { familyOf } from '../domain/contract.ts';
import { decodeBytes } from '../ingest/decode.ts';
import { createPseudonymizer, pseudonymizeEvent } from '../ingest/pseudonymize.ts';
import { migrate } from '../pipeline/migrate.ts';
import { Sink } from '../pipeline/sink.ts';
import { validEvents } from '../simulator/sampleEvents.ts';

const { values } = parseArgs({ options: { events: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log('usage: node --import tsx bench/stages.ts [--events N (200000)] [--batch B (50000)]');
  process.exit(0);
}
const N = Number(values.events ?? 200_000);
const B = Number(values.batch ?? 50_000);

const events = validEvents(N, 3);
const bytes = events.map((e) => Buffer.from(JSON.stringify(e)));
const p = createPseudonymizer('bench-stages-key-0123456789abcdef');

const time = (fn: () => void) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const decoded: ReturnType<typeof decodeBytes>[] = [];
const tDecode = time(() => {
  for (let i = 0; i < N; i++) decoded.push(decodeBytes(bytes[i]!, familyOf[events[i]!.type]));
});
const ok = decoded.map((d) =>
  d.ok
    ? d.event
    : (() => {
        throw new Error(d.reason);
      })(),
);
let stored: ReturnType<typeof pseudonymizeEvent>[] = [];
const tPseudo = time(() => {
  stored = ok.map((e) => pseudonymizeEvent(e, p));
});

const dir = mkdtempSync(join(tmpdir(), 'edumon-stages-'));
const instance = await openWarehouse(join(dir, 'w.duckdb'));
const conn = await connect(instance);
await migrate(conn);
const sink = await Sink.open(conn);
const t0 = performance.now();
for (let i = 0; i < N; i += B) {
  await sink.write([{ topic: 'bench', partition: 0, nextOffset: BigInt(i + B), events: stored.slice(i, i + B), rejections: [] }]);
}
const tSink = performance.now() - t0;
conn.closeSync();
instance.closeSync();
rmSync(dir, { recursive: true, force: true });

const us = (ms: number) => ((ms * 1000) / N).toFixed(2);
const rate = (ms: number) => Math.round((N / ms) * 1000).toLocaleString('en-US');
console.log(`stages over ${N.toLocaleString('en-US')} events (sink transactions of ${B.toLocaleString('en-US')}), one thread:`);
console.log(`  decode (JSON.parse + zod)   ${us(tDecode)} µs/event   ${rate(tDecode)} events/s`);
console.log(`  pseudonymise (HMAC, cached) ${us(tPseudo)} µs/event   ${rate(tPseudo)} events/s`);
console.log(`  sink (append+insert+commit) ${us(tSink)} µs/event   ${rate(tSink)} events/s (wall; DuckDB uses its own threads too)`);
console.log(`  total                       ${us(tDecode + tPseudo + tSink)} µs/event   ${rate(tDecode + tPseudo + tSink)} events/s`);
