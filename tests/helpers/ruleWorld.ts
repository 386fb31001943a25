/**
 * Small hand-made worlds for rule tests: contract events built with defaults, stored through the
 * real sink into an in-memory warehouse, and one rule evaluated as of a moment.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { noWatermarks } from '../../alerts/feedWatermarks.ts';
import { ruleById } from '../../alerts/rules.ts';
import { runRules } from '../../alerts/runRules.ts';
import { type Config, loadConfig } from '../../core/config.ts';
import { connect } from '../../core/db.ts';
import type { ContractEvent, EventType } from '../../domain/contract.ts';
import type { Violation } from '../../domain/violation.ts';
import { createPseudonymizer, pseudonymizeEvent } from '../../ingest/pseudonymize.ts';
import { migrate } from '../../pipeline/migrate.ts';
import { Sink } from '../../pipeline/sink.ts';
import { TEST_KEY } from './testEnv.ts';

type Fields<T extends EventType> = Omit<ContractEvent<T>, 'type' | 'event_id' | 'occurred_at' | 'source'>;

/** Pseudonym of a raw student or staff id under the test key, as rules name people. */
export const pseudonym = createPseudonymizer(TEST_KEY);

export class RuleWorld {
  readonly events: ContractEvent[] = [];

  /** Adds one event of `type` that occurred at `at` (ISO 8601 with offset). */
  add<T extends EventType>(type: T, at: string, fields: Fields<T>): this {
    this.events.push({ type, event_id: `rule-test-${this.events.length + 1}`, occurred_at: at, source: 'rule-test', ...fields } as unknown as ContractEvent);
    return this;
  }

  /**
   * The event_id of the one event of `type` (at `at`, if given) whose fields include `fields`, with
   * raw ids as added: what a rule's details.event_id must name. Throws unless exactly one matches.
   */
  idOf<T extends EventType>(type: T, fields: Partial<Fields<T>> = {}, at?: string): string {
    const found = this.events.filter(
      (e) =>
        e.type === type &&
        (at === undefined || e.occurred_at === at) &&
        Object.entries(fields).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v),
    );
    if (found.length !== 1) throw new Error(`${found.length} ${type} events match ${JSON.stringify(fields)}${at ? ` at ${at}` : ''}`);
    return found[0]!.event_id;
  }

  /** An active, licensed school registered on 1 January 2025. */
  school(school_id: string, fields: Partial<Fields<'school.upserted'>> = {}, at = '2025-01-01T00:10:00+08:00'): this {
    return this.add('school.upserted', at, {
      school_id,
      name: `学校${school_id}`,
      level: 'high_school',
      ownership: 'public',
      region_code: '410821',
      status: 'active',
      licensed: true,
      capacity: 3000,
      ...fields,
    });
  }

  /** An active full-time teacher registered on 1 January 2025. */
  staff(staff_id: string, fields: Partial<Fields<'staff.upserted'>> = {}, at = '2025-01-01T00:20:00+08:00'): this {
    return this.add('staff.upserted', at, {
      staff_id,
      school_id: '3441210001',
      region_code: '410821',
      role: 'full_time_teacher',
      employment: 'contract',
      active: true,
      monthly_wage_yuan: 6000,
      ...fields,
    });
  }

  /** `count` students enrolled at a school in one class (ids `S<school>-<class>-<n>`). */
  students(school_id: string, count: number, fields: Partial<Fields<'enrollment.enrolled'>> = {}, at = '2025-01-03T09:00:00+08:00'): this {
    for (let i = 0; i < count; i++) {
      this.add('enrollment.enrolled', at, {
        school_id,
        student_id: `S${school_id}-${fields.class_id ?? 'c'}-${i}`,
        year: 2024,
        level: 'high_school',
        grade: 1,
        class_id: 'c',
        home_region_code: '410821',
        ...fields,
      });
    }
    return this;
  }

  /** Migrates the warehouse behind `conn` and stores these events in it through the real sink. */
  async store(conn: DuckDBConnection): Promise<void> {
    await migrate(conn);
    await this.write(conn);
  }

  /** Stores these events through the real sink in a warehouse whose event tables exist (migrated, by this edumon or an older one). */
  async write(conn: DuckDBConnection): Promise<void> {
    const sink = await Sink.open(conn);
    // Copies: pseudonymizeEvent blanks the raw ids in place, and idOf finds events by them.
    const events = this.events.map((e) => pseudonymizeEvent({ ...e }, pseudonym));
    await sink.write([{ topic: 'rule-test', partition: 0, nextOffset: BigInt(events.length), events, rejections: [] }]);
  }

  /**
   * Evaluates one rule as of `asOf` in a fresh in-memory warehouse holding these events: its SQL
   * at that moment, whatever the feeds' watermarks (those are tested in tests/unit/feedWatermarks.test.ts).
   */
  async evaluate(ruleId: string, asOf: string, rules: Partial<Config['rules']> = {}): Promise<Violation[]> {
    const base = loadConfig({ env: {} });
    const config = { ...base, rules: { ...base.rules, ...rules } };
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await connect(instance);
    try {
      await this.store(conn);
      const result = await runRules(conn, [ruleById(ruleId)], { config, asOf, watermarks: noWatermarks() });
      const failed = result.runs.find((r) => r.error);
      if (failed) throw new Error(failed.error);
      return result.violations;
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }
}

/** The identities of violations, for compact assertions. */
export const identities = (vs: Violation[]) => vs.map((v) => [v.school_id, v.region_code, v.period, v.subject]);

/** The details.event_id of violations, in their order: the source record each alert names (undefined when absent). */
export const eventIds = (vs: Violation[]) => vs.map((v) => v.details.event_id);
