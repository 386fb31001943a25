import type { DuckDBConnection } from '@duckdb/node-api';
import { ALERT_STORM } from '../../alerts/alertStorm.ts';
import type { IngestState } from '../../alerts/feedWatermarks.ts';
import { resultLine, saysLine } from '../../alerts/resultWords.ts';
import { ruleSays } from '../../alerts/ruleSays.ts';
import { loadRules, ruleById } from '../../alerts/rules.ts';
import type { Command } from '../../core/cli.ts';
import { clockOf } from '../../core/clock.ts';
import type { Config } from '../../core/config.ts';
import { UsageError } from '../../core/errors.ts';
import { formatShanghai, timeOption } from '../../core/shanghai.ts';
import { visibleText } from '../../core/text.ts';
import { violationSchema } from '../../domain/violation.ts';
import { applyRulesRequest, type RulesAnswer, type RulesRequest, runRulesRequest } from '../../service/rulesRequest.ts';
import { serviceOrWarehouse } from '../../service/serviceOrWarehouse.ts';
import { warehouseIngestState } from '../../service/warehouseLag.ts';
import { formatLines, formatResult } from '../formatResult.ts';

/** A violation's columns, in the order its schema declares them. */
const COLUMNS = violationSchema.keyof().options;
/** The table's last column: the subject and result in words. */
const RESULT_COLUMN = '结果 result';

export const rulesCmd: Command = {
  name: 'rules',
  summary: 'List the rules, or run them as of a moment and print the violations',
  usage: 'rules list | rules run [--rule ID] [--at TIMESTAMP] [--json] [--dry-run]',
  description:
    'list: every rule of sql/rules/ with its severity, cadence, parameters, title and what its results say.\n' +
    'run: evaluates all rules (or one) as of --at (default: now); only events that occurred by then count.\n' +
    'Thresholds come from the configuration (`rules` section). While `edumon run` is up the rules run\n' +
    'inside it; otherwise the warehouse file is opened (read-write, or read-only with --dry-run). The result\n' +
    'is applied to the alerts (new violations open, absent ones resolve, each run is recorded; a failing rule\n' +
    'opens DQ-RULE-FAILED; a storm of new alerts is held back: DQ-ALERT-STORM)\n' +
    'unless --dry-run is given, which changes no alert state and says what would be held. --json prints one JSON\n' +
    'object per line (rule, school_id, region_code, period, subject, observed, threshold, details); without it, a table\n' +
    'of the same columns and a last one saying the subject and the result in words (`班级 G1-07：班额 57 人，超过 55 人`). A rule that\n' +
    'fails is reported on stderr and the exit status is 1; the other rules still run.\n' +
    "Which moment each rule judges: with --dry-run on a warehouse that holds every event published (the broker's\n" +
    'partition ends are read to know it), --at itself, and stderr names per rule the feeds with nothing near it\n' +
    '(their last event and how long before). Otherwise, and always when applying, as the scheduler does: the\n' +
    "earliest of --at and its feeds' watermarks (how far the stored data is complete; a feed quiet for its\n" +
    'allowed lateness is complete up to its last event), and stderr says which rules were held back, to when\n' +
    'and by which feed. With --json, one JSON object per rule on stderr: rule, effective_as_of, held_by,\n' +
    'empty_feeds, quiet_feeds. A feed with nothing stored holds nothing back: its rules run as of --at and\n' +
    'stderr says the feed is empty.',
  options: {
    rule: { type: 'string', value: 'ID', help: 'run only this rule' },
    at: {
      type: 'string',
      value: 'TIMESTAMP',
      help: 'evaluate as of this moment, e.g. 2025-12-31T23:59:59 (Asia/Shanghai unless an offset is given; default: now)',
    },
    json: { type: 'boolean', help: 'one JSON object per violation per line' },
    'dry-run': { type: 'boolean', help: 'print the violations only: change no alert state, record no run' },
  },
  async run(ctx) {
    const [sub, ...extra] = ctx.positionals;
    if (extra.length || (sub !== 'list' && sub !== 'run')) {
      throw new UsageError(`rules: expected 'list' or 'run' (see edumon rules --help)`);
    }
    if (sub === 'list') {
      const rows = loadRules().map((r) => [r.id, r.severity, r.cadence, r.params.filter((p) => p !== 'as_of').join(', '), r.title, saysLine(r.says, 'zh-CN')]);
      ctx.out(
        formatResult(
          { columns: ['rule', 'severity', 'cadence', 'params', 'title', ctx.values.json ? 'says' : RESULT_COLUMN], rows },
          ctx.values.json ? 'json' : 'table',
        ),
      );
      return 0;
    }
    const rule = ctx.values.rule as string | undefined;
    // Usage errors before the warehouse is opened: an unknown rule, a moment that is no timestamp.
    if (rule) ruleById(rule);
    const config = ctx.config();
    const clock = clockOf(config.failpoints.clock);
    const at = typeof ctx.values.at === 'string' ? timeOption('rules: --at', ctx.values.at) : new Date(clock());
    const req: RulesRequest = { at: at.toISOString(), ...(rule ? { rule } : {}) };
    const dryRun = ctx.values['dry-run'] === true;
    const result = await evaluate(config, req, dryRun, (conn) => warehouseIngestState(conn, config, ctx.log(), clock()));
    if (ctx.values.json) {
      ctx.outLines(formatLines({ columns: [...COLUMNS], rows: result.violations.map((v) => COLUMNS.map((c) => v[c])) }, 'json'));
    } else {
      // For a person: the violation's columns, then its subject and result in words (alerts/resultWords.ts).
      const says = ruleSays(config);
      const rows = result.violations.map((v) => [...COLUMNS.map((c) => v[c]), resultLine(says.get(v.rule) ?? null, v, 'zh-CN')]);
      ctx.outLines(formatLines({ columns: [...COLUMNS, RESULT_COLUMN], rows }, 'table'));
    }
    const failed = result.runs.filter((r) => r.error);
    for (const r of failed) process.stderr.write(`edumon: rule ${r.rule} failed: ${String(r.error).split('\n').map(visibleText).join('\n')}\n`);
    for (const s of (result.shared ?? []).filter((x) => x.error)) {
      process.stderr.write(
        `edumon: note: ${s.call} was not computed once for ${s.rules.length} rules (${visibleText(String(s.error).split('\n')[0] ?? '')}); each computed it itself\n`,
      );
    }
    for (const s of result.storms ?? []) {
      if (s.held) {
        process.stderr.write(
          `edumon: ${ALERT_STORM}: ${s.held} new alert(s) of ${s.rule} ${dryRun ? 'would be' : 'were'} held back (${Math.round(s.share * 100)}% of the ${s.found} found); ` +
            `they open when its next run finds them again, or with edumon alerts release --rule ${s.rule}\n`,
        );
      }
      if (s.confirmed)
        process.stderr.write(`edumon: ${s.confirmed} held alert(s) of ${s.rule} ${dryRun ? 'would be' : 'were'} confirmed by this run and opened\n`);
    }
    for (const line of [...ingestLines(result, dryRun), ...effectiveLines(result, ctx.values.json === true)]) process.stderr.write(`${line}\n`);
    process.stderr.write(
      `${result.violations.length} violation(s) from ${result.runs.length - failed.length} rule(s) as of ${formatShanghai(result.asOf)} in ${result.ms} ms\n`,
    );
    return failed.length ? 1 : 0;
  },
};

/** What stderr says of ingestion: whether the run could judge as asked, and if not why. */
function ingestLines(result: RulesAnswer, dryRun: boolean): string[] {
  const { ingest, asAsked } = result;
  if (asAsked) return [`edumon: every event published is stored: each rule judged as of ${formatShanghai(result.asOf)}, as asked`];
  if (!ingest) return [];
  const why =
    ingest.caughtUp === null
      ? 'the broker did not answer, so whether every event published is stored is not known'
      : ingest.caughtUp
        ? ''
        : `${ingest.behind} partition(s) still hold events not stored`;
  if (dryRun && why) return [`edumon: note: ${why}: each rule judged as of its feeds' watermarks`];
  if (!dryRun)
    return [`edumon: note: an applied run judges as of its feeds' watermarks, as the scheduler does${why ? ` (${why})` : ''}; --dry-run answers as of --at`];
  return [];
}

/** What stderr says of the rules' effective moments: per moment and holding feed the rules, or with `json` one object per rule. */
function effectiveLines(result: RulesAnswer, json: boolean): string[] {
  if (json)
    return result.runs.map((r) =>
      JSON.stringify({
        rule: r.rule,
        effective_as_of: formatShanghai(r.effectiveAsOf),
        held_by: r.heldBy,
        empty_feeds: r.emptyFeeds,
        quiet_feeds: (r.quietFeeds ?? []).map((q) => ({ feed: q.feed, last_event_at: formatShanghai(q.lastEventAt) })),
      }),
    );
  const groups = new Map<string, string[]>();
  for (const r of result.runs) {
    for (const q of r.quietFeeds ?? []) {
      const days = (Date.parse(r.effectiveAsOf) - Date.parse(q.lastEventAt)) / 86_400_000;
      const key = `the ${q.feed} feed's last event is ${formatShanghai(q.lastEventAt)}, ${days < 1 ? `${Math.round(days * 24)} hour(s)` : `${days.toFixed(1)} day(s)`} before`;
      groups.set(key, [...(groups.get(key) ?? []), r.rule]);
    }
    if (!r.heldBy) continue;
    const key = `judged as of ${formatShanghai(r.effectiveAsOf)}, held back by the ${r.heldBy} feed's watermark`;
    groups.set(key, [...(groups.get(key) ?? []), r.rule]);
  }
  const lines = [...groups].map(([key, rules]) => `edumon: ${key}: ${rules.join(', ')}`);
  const empty = [...new Set(result.runs.flatMap((r) => r.emptyFeeds))];
  if (empty.length) lines.push(`edumon: note: feed(s) ${empty.join(', ')} hold nothing yet; the rules reading them ran as of the requested moment`);
  return lines;
}

/** Through the service while it runs (it knows its ingestion); else on the file, with what `ingestOf` learns from the broker. */
async function evaluate(
  config: Config,
  req: RulesRequest,
  dryRun: boolean,
  ingestOf: (conn: DuckDBConnection) => Promise<IngestState | undefined>,
): Promise<RulesAnswer> {
  return serviceOrWarehouse(config.warehouse, { path: '/rules/run', body: { ...req, dryRun } }, { write: !dryRun }, async (conn) => {
    const ingest = await ingestOf(conn);
    return dryRun ? runRulesRequest(conn, config, req, undefined, ingest) : applyRulesRequest(conn, config, req, undefined, undefined, ingest);
  });
}
