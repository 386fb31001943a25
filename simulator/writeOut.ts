/**
 * Writes the generated events out: one JSON Lines file per topic family, each in occurred_at order
 * (ties by event_id), through an external sort so that memory stays bounded; mixes in malformed
 * lines and duplicate deliveries when asked (--corrupt); and writes truth.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rngOf } from '../core/rng.ts';
import { type ContractEvent, familyOf } from '../domain/contract.ts';
import { type Family, families } from '../domain/topics.ts';
import type { ViolationKey } from '../domain/violation.ts';
import { malformedKinds, malformedLine } from './malformed.ts';
import { LineWriter, SortedRuns } from './sortedRuns.ts';
import type { CorruptCounts } from './truth.ts';

/** Characters buffered (all families together) before the largest buffer is spilled to disk. */
const SPILL_CHARS = 32 * 1024 * 1024;
/** Where the timestamp starts in a line: after `{"occurred_at":"`. */
const OCCURRED_AT = 16;

export interface WriteReport {
  events: Record<Family, number>;
  byType: Record<string, number>;
  corrupt: CorruptCounts;
}

export class EventWriter {
  private readonly runs: Record<Family, SortedRuns>;
  private readonly tmp: string;
  readonly byType: Record<string, number> = {};
  count = 0;

  constructor(private readonly outDir: string) {
    this.tmp = join(outDir, '.simulate-runs');
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
    this.runs = Object.fromEntries(families.map((f) => [f, new SortedRuns(this.tmp, f)])) as Record<Family, SortedRuns>;
  }

  add(e: ContractEvent): void {
    // occurred_at and event_id lead every line, so that plain string order is (occurred_at,
    // event_id) order: fixed-width +08:00 timestamps sort as time, and the '"' closing an id sorts
    // below every character of an id.
    this.runs[familyOf[e.type]].add(JSON.stringify(Object.assign({ occurred_at: e.occurred_at, event_id: e.event_id }, e)));
    this.byType[e.type] = (this.byType[e.type] ?? 0) + 1;
    if (++this.count % 4096 === 0) {
      const total = families.reduce((n, x) => n + this.runs[x].buffered, 0);
      if (total > SPILL_CHARS)
        families
          .map((x) => this.runs[x])
          .sort((a, b) => b.buffered - a.buffered)[0]!
          .spill();
    }
  }

  /**
   * Writes DIR/<family>.jsonl. `onValid` sees each distinct valid event's family and occurred_at
   * in order; with a corrupt rate, malformed lines and redeliveries are mixed in after valid ones.
   */
  finish(opts: { seed: number; corrupt: number; onValid?: (family: Family, occurredAt: string) => void; onFamily?: (family: Family) => void }): WriteReport {
    // Spilled data is merged from disk: spill every buffer first, so none waits in memory meanwhile.
    if (families.some((f) => this.runs[f].spilled)) for (const f of families) this.runs[f].spill();
    const corrupt: CorruptCounts = { malformed: 0, by_kind: Object.fromEntries(malformedKinds.map((k) => [k, 0])), duplicates: 0 };
    const events = {} as Record<Family, number>;
    for (const f of families) {
      opts.onFamily?.(f);
      const r = rngOf(opts.seed, 'corrupt', f);
      const recent: string[] = [];
      const out = new LineWriter(join(this.outDir, `${f}.jsonl`));
      let n = 0;
      for (const line of this.runs[f].sorted()) {
        out.write(line);
        n++;
        opts.onValid?.(f, line.slice(OCCURRED_AT, OCCURRED_AT + 25));
        if (opts.corrupt <= 0) continue;
        if (recent.length < 512) recent.push(line);
        else recent[n % 512] = line;
        if (r.next() < opts.corrupt) {
          const kind = malformedKinds[corrupt.malformed % malformedKinds.length]!;
          out.write(malformedLine(kind, line, corrupt.malformed));
          corrupt.malformed++;
          corrupt.by_kind[kind]!++;
        }
        if (r.next() < opts.corrupt) {
          out.write(r.pick(recent));
          corrupt.duplicates++;
        }
      }
      out.close();
      events[f] = n;
    }
    rmSync(this.tmp, { recursive: true, force: true });
    return { events, byType: sortKeys(this.byType), corrupt };
  }
}

const sortKeys = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/** truth.json: the run's parameters, event counts, corruption counts and every violation, one per line. */
export function writeTruth(file: string, head: Record<string, unknown>, violations: ViolationKey[]): void {
  const lines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const body = violations.map((v) => `    ${JSON.stringify(v)}`).join(',\n');
  writeFileSync(file, `{\n${lines.join(',\n')},\n  "violations": [\n${body}\n  ]\n}\n`);
}
