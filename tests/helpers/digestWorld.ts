/**
 * The digest tests' small world: two kindergartens, in 温县 (410825) and 武陟县 (410823), each
 * county with 100 children aged 3-5 reported for 2025; 温县's has 97 children (学前三年毛入园率
 * 97.0%, met), 武陟县's 90 (90.0%, missed).
 */
import { RuleWorld } from './ruleWorld.ts';

export function twoCountyWorld(): RuleWorld {
  const w = new RuleWorld()
    .school('4108250001', { name: '温县实验幼儿园', level: 'kindergarten', region_code: '410825' })
    .school('4108230001', { name: '武陟县实验幼儿园', level: 'kindergarten', region_code: '410823' });
  for (const code of ['410825', '410823'])
    w.add('population.reported', '2025-01-02T09:00:00+08:00', { region_code: code, year: 2025, age_3_5: 100, age_15_17: 100 });
  w.students('4108250001', 97, { level: 'kindergarten', grade: 1, year: 2025, class_id: 'k1' });
  w.students('4108230001', 90, { level: 'kindergarten', grade: 1, year: 2025, class_id: 'k1' });
  return w;
}
