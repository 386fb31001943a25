/** A warehouse file holding a small world in which ADM-OVER-QUOTA fires, then resolves after a cancellation. */
import { connect, openWarehouse } from '../../core/db.ts';
import { RuleWorld } from './ruleWorld.ts';

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
