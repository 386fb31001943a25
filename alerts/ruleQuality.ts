/**
 * How officials judged each rule's alerts (issue 23): what the data team's page shows and what the
 * city's weekly digest reads for its rules judged often wrong. SQL in sql/alerts/rule_quality.sql.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadConfig } from '../core/config.ts';
import { sqlStatements } from '../core/sqlStatements.ts';
import { type Catalogue, catalogueOf, titleIn } from './notify/notifyRound.ts';

const SQL = sqlStatements('alerts', ['rule_quality']);

/** Which alerts ruleQuality counts. */
export interface RuleQualityFilter {
  /** Occurrences opened at or after this moment (default: since the first). */
  since?: Date;
  /** Occurrences opened, and acknowledgements made, before this moment (exclusive; default: all). */
  until?: Date;
  /** One region code (default: every region and the data-health alerts, whose region is null). */
  region?: string;
  /** Where the rules' titles come from (default: the catalogue of the default configuration: titles do not depend on it). */
  catalogue?: Catalogue;
}

/** One rule in one region: its alerts raised in the window and what the officials who acknowledged them found. */
export interface RuleQualityRow {
  rule: string;
  /** The rule's title from the catalogue (alerts/rules.ts, alerts/runnerRules.ts); null for a rule no longer in it. */
  title: { zh: string; en: string } | null;
  /** The alerts' region code; null for a data-health rule's (DQ-*), which have none. */
  region: string | null;
  /** Occurrences opened or reopened in the window (alert_transitions `open` and `reopen`): one alert reopened twice is raised three times. */
  raised: number;
  /** Of those, the ones acknowledged before `until` (with an outcome or without). */
  acked: number;
  /** acked / raised, 0 to 1. */
  ackedShare: number;
  /** Median over the acknowledged occurrences of their first acknowledgement minus their opening, in hours; null when none was acknowledged. */
  medianHoursToAck: number | null;
  /** Occurrences whose latest acknowledgement says 确认违规 (confirmed), 已整改 (fixed), 数据有误 (data_wrong), 误报 (false_alarm). */
  confirmed: number;
  fixed: number;
  dataWrong: number;
  falseAlarm: number;
  /** confirmed + fixed + dataWrong + falseAlarm: the occurrences judged. */
  judged: number;
  /** Precision as officials judged it: (confirmed + fixed) / judged, 0 to 1; null when nothing was judged. */
  precision: number | null;
}

let defaultCatalogue: Catalogue | undefined;
/** The default configuration's catalogue, built once: a rule's title is the same under any configuration. */
function titles(): Catalogue {
  defaultCatalogue ??= catalogueOf(loadConfig({ env: {} }));
  return defaultCatalogue;
}

/**
 * Each rule's alerts by rule and region (rule, then region, data-health rules' null region first):
 * the occurrences opened in [since, until), the share acknowledged and the median hours to the
 * first acknowledgement, and the latest acknowledgement's outcome of each counted (a later
 * acknowledgement without an outcome leaves it unjudged, as the alerts row shows it). Read as of
 * `until`: acknowledgements made later are not counted, so a window that has ended always gives
 * the same answer. Reads only.
 */
export async function ruleQuality(conn: DuckDBConnection, filter: RuleQualityFilter = {}): Promise<RuleQualityRow[]> {
  const params = { since: filter.since?.toISOString() ?? null, until: filter.until?.toISOString() ?? null, region: filter.region ?? null };
  const rows = (await conn.runAndReadAll(SQL.rule_quality, params)).getRowObjectsJson();
  const catalogue = filter.catalogue ?? titles();
  return rows.map((r) => {
    const rule = String(r.rule);
    const title = catalogue.get(rule)?.title;
    return {
      rule,
      title: title === undefined ? null : { zh: titleIn(title, 'zh-CN'), en: titleIn(title, 'en') },
      region: (r.region_code as string | null) ?? null,
      raised: Number(r.raised),
      acked: Number(r.acked),
      ackedShare: Number(r.acked_share),
      medianHoursToAck: r.median_ack_hours === null ? null : Number(r.median_ack_hours),
      confirmed: Number(r.confirmed),
      fixed: Number(r.fixed),
      dataWrong: Number(r.data_wrong),
      falseAlarm: Number(r.false_alarm),
      judged: Number(r.judged),
      precision: r.precision === null ? null : Number(r.precision),
    };
  });
}
