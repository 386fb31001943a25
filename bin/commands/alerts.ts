import { type AlertsAnswer, type AlertsRequest, alertsRequest } from '../../alerts/alertOps.ts';
import { type AckOutcome, ackOutcomes } from '../../alerts/alertStore.ts';
import { resultLine } from '../../alerts/resultWords.ts';
import { ruleSays } from '../../alerts/ruleSays.ts';
import { ruleById } from '../../alerts/rules.ts';
import type { Command } from '../../core/cli.ts';
import type { Config } from '../../core/config.ts';
import { UsageError } from '../../core/errors.ts';
import { timeOption } from '../../core/shanghai.ts';
import { serviceOrWarehouse } from '../../service/serviceOrWarehouse.ts';
import { formatLines } from '../formatResult.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export const alertsCmd: Command = {
  name: 'alerts',
  summary: 'List, acknowledge, silence or release the alerts the rules raised',
  usage:
    'alerts list [--state open|resolved] [--region CODE] [--rule ID] [--json] | alerts ack ID [--note TEXT] [--outcome OUTCOME] |\n' +
    '       alerts silence --rule ID [--school ID|--region CODE] --until TIME --reason TEXT | alerts release --rule ID',
  description:
    'list: the alerts, open first, newest first (times in Asia/Shanghai, +08:00); `silenced` says whether a silence covers one now;\n' +
    'the last column says its subject and result in words (`办园条件 室外游戏场地：室外游戏场地生均面积 3.2 平方米/生，低于 4 平方米/生`; not with --json).\n' +
    'ack: marks an alert acknowledged (a reopening clears it). silence: mutes a rule, for one school or one\n' +
    'region or everywhere, until TIME (notifications honour it; the alerts still open and resolve).\n' +
    'release: opens the alerts the storm valve held back for a rule (DQ-ALERT-STORM) and resolves its storm;\n' +
    'it prints each alert opened or reopened, and the storm resolved (exit 2 when nothing is held).\n' +
    'While `edumon run` is up the request goes through it; otherwise the warehouse file is opened.',
  options: {
    state: { type: 'string', value: 'open|resolved', help: 'list: only alerts in this state' },
    region: { type: 'string', value: 'CODE', help: 'list: only this region; silence: only this region' },
    rule: { type: 'string', value: 'ID', help: 'list: only this rule; silence: the rule to silence; release: the rule whose held alerts open' },
    school: { type: 'string', value: 'ID', help: 'silence: only this school' },
    until: { type: 'string', value: 'TIME', help: 'silence: until this moment, e.g. 2025-08-31T23:59:59 (Asia/Shanghai unless an offset is given)' },
    reason: { type: 'string', value: 'TEXT', help: 'silence: why' },
    note: { type: 'string', value: 'TEXT', help: 'ack: a note kept with the acknowledgement' },
    outcome: {
      type: 'string',
      value: 'OUTCOME',
      help: "ack: what was found: confirmed (确认违规), fixed (已整改), data_wrong (数据有误) or false_alarm (误报); counts in the rule's judged precision",
    },
    json: { type: 'boolean', help: 'one JSON object per line' },
  },
  async run(ctx) {
    const [sub, ...args] = ctx.positionals;
    const v = ctx.values;
    let req: AlertsRequest;
    if (sub === 'list' && args.length === 0) {
      req = { action: 'list', ...pick({ state: str(v.state), region: str(v.region), rule: str(v.rule) }) };
    } else if (sub === 'ack' && args.length === 1) {
      const outcome = str(v.outcome);
      if (outcome !== undefined && !(ackOutcomes as readonly string[]).includes(outcome)) {
        throw new UsageError(`alerts ack: --outcome is one of ${ackOutcomes.join(', ')}, not '${outcome}'`);
      }
      req = { action: 'ack', id: args[0]!, ...pick({ note: str(v.note) }), ...(outcome ? { outcome: outcome as AckOutcome } : {}) };
    } else if (sub === 'silence' && args.length === 0) {
      const rule = str(v.rule);
      const until = str(v.until);
      const reason = str(v.reason);
      if (!rule || !until || !reason) throw new UsageError('alerts silence: give --rule, --until and --reason');
      // Usage errors before the warehouse is opened: a rule that does not exist, a time that is none.
      ruleById(rule);
      req = {
        action: 'silence',
        rule,
        until: timeOption('alerts silence: --until', until).toISOString(),
        reason,
        ...pick({ school: str(v.school), region: str(v.region) }),
      };
    } else if (sub === 'release' && args.length === 0) {
      const rule = str(v.rule);
      if (!rule) throw new UsageError('alerts release: give --rule');
      ruleById(rule);
      req = { action: 'release', rule };
    } else {
      throw new UsageError(`alerts: expected 'list', 'ack ID', 'silence' or 'release' (see edumon alerts --help)`);
    }
    const config = ctx.config();
    const answer = await serviceOrWarehouse(config.warehouse, { path: '/alerts', body: req }, { write: req.action !== 'list' }, (conn) =>
      alertsRequest(conn, req),
    );
    ctx.outLines(formatLines(req.action === 'list' && !v.json ? withResults(answer, config) : answer, v.json ? 'json' : 'table'));
    return 0;
  },
};

/** The given (defined) fields only, as exactOptionalPropertyTypes would want. */
function pick<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as { [K in keyof T]?: string };
}

/** The listing for a person: each alert's subject and result said in words (alerts/resultWords.ts) in a last column. */
function withResults(answer: AlertsAnswer, config: Config): AlertsAnswer {
  const says = ruleSays(config);
  const at = (row: unknown[], c: string) => row[answer.columns.indexOf(c)] as string | null;
  return {
    columns: [...answer.columns, '结果 result'],
    rows: answer.rows.map((row) => [
      ...row,
      resultLine(
        says.get(String(at(row, 'rule'))) ?? null,
        { subject: at(row, 'subject'), observed: at(row, 'observed'), threshold: at(row, 'threshold') },
        'zh-CN',
      ),
    ]),
  };
}
