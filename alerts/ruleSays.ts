/**
 * Every rule's result words by id, the catalogue's (sql/rules/) and the runner's own
 * (alerts/runnerRules.ts): what the CLI says an alert's or a violation's result with.
 */
import type { Config } from '../core/config.ts';
import type { ResultWords } from './resultWords.ts';
import { loadRules } from './rules.ts';
import { runnerRules } from './runnerRules.ts';

/** Each rule id's declarations (alerts/resultWords.ts); a rule not there (since removed) is absent, and is shown as stored. */
export function ruleSays(config: Pick<Config, 'rules' | 'notify'>): ReadonlyMap<string, ResultWords> {
  return new Map([...loadRules(), ...runnerRules(config.rules, config.notify)].map((r) => [r.id, r.says]));
}
