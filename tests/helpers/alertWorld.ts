/** A warehouse file holding a small world in which ADM-OVER-QUOTA fires, then resolves after a cancellation. */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { connect, openWarehouse } from '../../core/db.ts';
import { type Running, spawnEdumon, waitFor } from './cli.ts';
import { RuleWorld } from './ruleWorld.ts';
import type { TestEnv } from './testEnv.ts';

export const HS = '3441210001';

/** A plan of 2 places, 3 admissions on 12 July. */
export function overQuota(): RuleWorld {
  const w = new RuleWorld().school(HS).add('admission_plan.published', '2025-07-10T08:00:00+08:00', {
    school_id: HS,
    year: 2025,
    plan_quota: 2,
    window_opens_at: '2025-07-10T09:00:00+08:00',
    window_closes_at: '2025-07-20T18:00:00+08:00',
  });
  for (const s of ['a', 'b', 'c']) {
    w.add('admission.admitted', '2025-07-12T10:00:00+08:00', {
      school_id: HS,
      student_id: s,
      year: 2025,
      home_region_code: '410821',
      admission_type: 'unified',
    });
  }
  return w;
}

/** overQuota, and one admission cancelled on 14 July. */
export function overQuotaThenCancelled(): RuleWorld {
  return overQuota().add('admission.cancelled', '2025-07-14T10:00:00+08:00', { school_id: HS, student_id: 'c', year: 2025 });
}

export async function storeWorld(file: string, w: RuleWorld): Promise<void> {
  const instance = await openWarehouse(file);
  const conn = await connect(instance);
  try {
    await w.store(conn);
    await conn.run('checkpoint');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Registers hooks: before the file's tests, `w` is stored in `t`'s warehouse and `edumon run`
 * started on it (the schedule is off in tests: only the tests' own runs change alerts); after
 * them, the service is stopped and `t`'s folder removed. Returns the running service, once started.
 */
export function serviceOnWorld(t: TestEnv, w: () => RuleWorld): () => Running {
  let proc: Running | undefined;
  beforeAll(async () => {
    await storeWorld(t.config.warehouse, w());
    proc = spawnEdumon(['run'], t.env);
    await waitFor(() => proc!.output().includes('pipeline running'), 60_000, 'the service to start');
  });
  afterAll(async () => {
    proc?.child.kill('SIGTERM');
    await proc?.exited;
    rmSync(t.dir, { recursive: true, force: true });
  });
  return () => proc!;
}
