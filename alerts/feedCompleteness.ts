/**
 * When each feed counts as complete and how late each rule's alert can come at worst, in words, from
 * the configuration: the tables of docs/rules.md (and the README's summary of them). The logic
 * they describe is alerts/feedWatermarks.ts and alerts/schedule.ts.
 */
import type { Config } from '../core/config.ts';
import { type Feed, feeds } from '../domain/topics.ts';
import { latenessOf } from './feedWatermarks.ts';
import type { Rule } from './rules.ts';

type DocConfig = Pick<Config, 'feeds'> & { rules: Pick<Config['rules'], 'seasonStart' | 'seasonEnd' | 'wageDueDay' | 'staleFeedMinutes'> };

const minutes = (ms: number) => `${ms / 60_000} min`;

/** What the calendar expects of a feed: how long its quiet is explained (it then follows the other feeds). */
function explainedQuiet(feed: Feed, config: DocConfig): string {
  switch (feed) {
    case 'admission':
      return `outside the admission season (${config.rules.seasonStart} to ${config.rules.seasonEnd}), until the next season starts`;
    case 'payroll':
      return `until the next month's wages fall due: the end of day ${config.rules.wageDueDay} of the month after the latest month it reported`;
    case 'funds':
      return `for ${config.feeds.funds.maxQuietDays} days (quarterly disbursements)`;
    default:
      return 'always (it changes when something happens)';
  }
}

/** When a feed is stale (DQ-STALE-FEED) and holds its rules. */
function staleAfter(feed: Feed, config: DocConfig): string {
  if (feed === 'admission') return `${config.rules.staleFeedMinutes} min without an event, inside the season`;
  const days = (config.feeds[feed] as { maxQuietDays?: number | null }).maxQuietDays;
  return days ? `${days} days without an event` : 'never';
}

/** The table of when each feed counts as complete, as Markdown lines. */
export function feedCompletenessTable(config: DocConfig): string[] {
  return [
    '| feed | complete up to | its quiet is explained (it follows the most complete feed) | stale (DQ-STALE-FEED; holds its rules) |',
    '|---|---|---|---|',
    ...feeds.map((feed) => {
      const lateness = latenessOf(feed, config);
      const complete =
        lateness === 0
          ? 'its last event, at once (allowed lateness 0)'
          : `its last event once nothing of it arrived for ${minutes(lateness)} (its allowed lateness) with nothing left to read; before that, its last event minus ${minutes(lateness)}`;
      return `| ${feed} | ${complete} | ${explainedQuiet(feed, config)} | ${staleAfter(feed, config)} |`;
    }),
  ];
}

/**
 * How late a rule's alert can come at worst after the event that makes the violation is stored, its
 * feeds reporting as the calendar expects (a payroll feed reports each month's run by its due day).
 */
export function worstAlertDelay(rule: Rule, config: DocConfig): string {
  const run = rule.cadence === 'season' ? 'within 10 s in season (the hour outside it)' : 'at the next 02:00';
  if (!rule.capped) return `${run}, whatever its feeds`;
  const prompt = rule.feeds.filter((f) => latenessOf(f, config) === 0);
  const waiting = rule.feeds.filter((f) => latenessOf(f, config) > 0);
  const wait = Math.max(0, ...waiting.map((f) => latenessOf(f, config)));
  const parts = waiting.length
    ? prompt.length
      ? [`${run} after an event of ${prompt.join(', ')}; after one of ${waiting.join(', ')}, once that feed has been quiet ${minutes(wait)}`]
      : [`${run}, once its feeds have been quiet ${minutes(wait)}`]
    : [run];
  // Rules over owed months judge a month only once its due day has passed.
  if (rule.params.includes('wage_due_day'))
    parts.push(`a month's wages from 02:00 the day after their due day (day ${config.rules.wageDueDay} of the next month)`);
  return parts.join('; ');
}
