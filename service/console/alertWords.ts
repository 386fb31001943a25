/**
 * How the console says an alert's parts, shared by the board and the alert's page: the rule's
 * title, the school, the region, the value against the threshold in the rule's own words
 * (alerts/resultWords.ts, as the email says it), the state and the outcome. Text only: the
 * pages' templates escape it.
 */

import { catalogueOf, titleIn } from '../../alerts/notify/notifyRound.ts';
import { resultWords, subjectWords } from '../../alerts/resultWords.ts';
import type { Config } from '../../core/config.ts';
import { regionName } from '../../core/regions.ts';
import type { Lang, T } from './i18n.ts';

export const severityWords: Record<string, { zh: string; en: string }> = {
  critical: { zh: '严重', en: 'Critical' },
  warning: { zh: '警告', en: 'Warning' },
  info: { zh: '提示', en: 'Info' },
};

export const stateWords: Record<string, { zh: string; en: string }> = {
  open: { zh: '待处理', en: 'Open' },
  acked: { zh: '已确认', en: 'Acknowledged' },
  silenced: { zh: '已静默', en: 'Silenced' },
  resolved: { zh: '已恢复', en: 'Resolved' },
};

export const outcomeWords: Record<string, { zh: string; en: string }> = {
  confirmed: { zh: '确认违规', en: 'Confirmed' },
  fixed: { zh: '已整改', en: 'Fixed' },
  data_wrong: { zh: '数据有误', en: 'Data wrong' },
  false_alarm: { zh: '误报', en: 'False alarm' },
};

/** The word for `key` in `table`, in the reader's language, or the key itself. */
export const word = (table: Record<string, { zh: string; en: string }>, key: string | null | undefined, t: T) =>
  key ? (table[key] ? t(table[key].zh, table[key].en) : key) : '';

/** What an alert row needs to be said. */
export interface SayableAlert {
  rule: string;
  region_code: string | null;
  subject: string | null;
  observed: string | null;
  threshold: string | null;
}

/** Says alerts of `config`'s rules in `lang`. */
export function alertWords(config: Config, lang: Lang) {
  const catalogue = catalogueOf(config);
  return {
    title: (rule: string) => {
      const r = catalogue.get(rule);
      return r ? titleIn(r.title, lang) : rule;
    },
    policy: (rule: string) => catalogue.get(rule)?.policy ?? '',
    region: (code: string | null) => (code ? regionName(code, lang) : ''),
    /** `超计划招生 12 人，计划 300 人`: the value against the threshold with its unit, or what is stored. */
    result: (a: SayableAlert) => {
      const says = catalogue.get(a.rule)?.says ?? null;
      return resultWords(says, a, lang) ?? [a.observed, a.threshold].filter((x) => x !== null).join(' / ');
    },
    subject: (a: SayableAlert) => subjectWords(catalogue.get(a.rule)?.says ?? null, a.subject, lang),
  };
}
