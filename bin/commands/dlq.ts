import { readFileSync } from 'node:fs';
import type { Command, CommandContext } from '../../core/cli.ts';
import { EdumonError, messageOf, UsageError } from '../../core/errors.ts';
import { createKafka } from '../../core/kafka.ts';
import { topicsOf } from '../../domain/topics.ts';
import { planPurge, purgeDlq } from '../../pipeline/purgeDlq.ts';
import { type DlqRecord, readDlq } from '../../pipeline/readDlq.ts';
import { replayDlq } from '../../pipeline/replayDlq.ts';
import { type DlqFilter, originOf, selectDlq } from '../../pipeline/selectDlq.ts';
import { formatResult } from '../formatResult.ts';

/** Options each subcommand takes (besides the global ones). */
const allowed: Record<string, string[]> = {
  list: ['topic', 'reason', 'since', 'sha', 'origin', 'json', 'payload'],
  replay: ['topic', 'reason', 'since', 'sha', 'origin', 'all', 'from-file'],
  purge: ['through', 'yes'],
};

const usage = (msg: string) => new UsageError(`dlq: ${msg} (see edumon dlq --help)`);

export const dlqCmd: Command = {
  name: 'dlq',
  summary: 'List, replay or purge the rejected messages kept in the DLQ topic',
  usage:
    'dlq list [--topic T] [--reason TEXT] [--since TIME] [--sha HEX] [--origin T:P:O] [--json] [--payload] |\n' +
    '       dlq replay (--all | --topic T | --reason TEXT | --since TIME | --sha HEX | --origin T:P:O) [--from-file FILE] |\n' +
    '       dlq purge [--through P:O] --yes',
  description:
    'The DLQ (<prefix>dlq) keeps each rejected message as sent, raw student and staff ids included, for\n' +
    'EDUMON_DLQ_RETENTION_DAYS (14 by default). list: one row per message: its DLQ partition:offset, when it was\n' +
    'rejected (Asia/Shanghai), its original topic, partition and offset, the reason, the SHA-256 of its bytes and\n' +
    'its size; never the payload, unless --payload is given (it prints the raw ids: a warning goes to stderr).\n' +
    'Filters combine (all must hold): --topic, --reason (substring, any case), --since, --sha (hash or prefix;\n' +
    'repeatable), --origin TOPIC:PARTITION:OFFSET (repeatable).\n' +
    'replay: sends the selected messages back to their original topic (key and headers kept, plus\n' +
    'edumon-replayed-from), so that `edumon run` validates them again; a still-bad one returns to the DLQ.\n' +
    'It needs a filter or --all. --from-file FILE replaces the value of the one selected message with the\n' +
    'JSON object in FILE (the fixed event). Replayed messages stay in the DLQ until purged or expired.\n' +
    'purge: deletes, for good, every message now in the DLQ, or with --through PARTITION:OFFSET (repeatable)\n' +
    'the messages of that partition up to that offset included (Kafka deletes only from the start of a\n' +
    'partition). Without --yes it only says what it would delete. Exit status: 0 done, 1 failed, 2 usage.',
  options: {
    topic: { type: 'string', value: 'TOPIC', help: 'list, replay: only messages rejected from this topic' },
    reason: { type: 'string', value: 'TEXT', help: 'list, replay: only reasons containing TEXT (any case)' },
    since: { type: 'string', value: 'TIME', help: 'list, replay: only messages rejected at or after TIME, e.g. 2025-07-01T00:00:00+08:00' },
    sha: { type: 'string', multiple: true, value: 'HEX', help: 'list, replay: only the message(s) with this SHA-256 (or prefix)' },
    origin: { type: 'string', multiple: true, value: 'T:P:O', help: 'list, replay: only the message rejected at TOPIC:PARTITION:OFFSET' },
    json: { type: 'boolean', help: 'list: one JSON object per line' },
    payload: { type: 'boolean', help: 'list: also print each payload (raw personal ids!)' },
    all: { type: 'boolean', help: 'replay: every message in the DLQ' },
    'from-file': { type: 'string', value: 'FILE', help: 'replay: send the JSON object in FILE instead of the one selected message' },
    through: { type: 'string', multiple: true, value: 'P:O', help: 'purge: delete partition P up to offset O included' },
    yes: { type: 'boolean', help: 'purge: really delete' },
  },
  async run(ctx) {
    const [sub, ...extra] = ctx.positionals;
    if (sub === undefined || !(sub in allowed)) throw usage(`expected 'list', 'replay' or 'purge'`);
    if (extra.length) throw usage(`unexpected argument '${extra[0]}'`);
    const ours = new Set(['config', 'warehouse', 'brokers', 'help', ...allowed[sub]!]);
    const stray = Object.keys(ctx.values).find((k) => ctx.values[k] !== undefined && !ours.has(k));
    if (stray) throw usage(`--${stray} does not apply to '${sub}'`);
    if (sub === 'purge') return purge(ctx);
    const filter = filterOf(ctx);
    const fixed = sub === 'replay' ? fixedValue(ctx.values['from-file'] as string | undefined) : undefined;
    if (sub === 'replay' && Object.keys(filter).length === 0 && !ctx.values.all)
      throw usage('replay needs a filter (--topic, --reason, --since, --sha, --origin) or --all');
    const config = ctx.config();
    const kafka = createKafka(config, ctx.log(), '-dlq');
    const selected = selectDlq(await readDlq(config, kafka), filter);
    if (sub === 'list') return list(ctx, selected);

    if (selected.length === 0) throw new EdumonError(`dlq: no message in ${topicsOf(config).dlq} matches`);
    if (fixed && selected.length !== 1) throw usage(`--from-file replaces one message's value, but ${selected.length} match: narrow with --sha or --origin`);
    for (const r of await replayDlq(config, kafka, selected, fixed)) {
      ctx.out(
        `replayed ${r.record.partition}:${r.record.offset} (${originOf(r.record)}, sha256 ${r.record.sha256.slice(0, 12)}) to ${r.topic} partition ${r.partition} offset ${r.offset}`,
      );
    }
    process.stderr.write(`${selected.length} message(s) replayed; run \`edumon run\` to validate them again\n`);
    return 0;
  },
};

function filterOf(ctx: CommandContext): DlqFilter {
  const v = ctx.values;
  const f: DlqFilter = {};
  if (typeof v.topic === 'string') f.topic = v.topic;
  if (typeof v.reason === 'string') f.reason = v.reason;
  if (typeof v.since === 'string') {
    const t = Date.parse(v.since);
    if (Number.isNaN(t)) throw usage(`--since '${v.since}' is not a timestamp (e.g. 2025-07-01T00:00:00+08:00)`);
    f.since = t;
  }
  if (Array.isArray(v.sha)) {
    const bad = v.sha.find((s) => !/^[0-9a-f]{4,64}$/i.test(s));
    if (bad !== undefined) throw usage(`--sha '${bad}' is not a SHA-256 or a prefix of 4+ hex digits`);
    f.sha = v.sha;
  }
  if (Array.isArray(v.origin)) {
    const bad = v.origin.find((s) => !/^.+:\d+:\d+$/.test(s));
    if (bad !== undefined) throw usage(`--origin '${bad}' is not TOPIC:PARTITION:OFFSET`);
    f.origin = v.origin;
  }
  return f;
}

/** The fixed event of --from-file: one JSON object (surrounding blank lines ignored). */
function fixedValue(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw usage(`--from-file: cannot read ${file}: ${messageOf(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usage(`--from-file: ${file} is not one JSON object: ${messageOf(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw usage(`--from-file: ${file} is not one JSON object`);
  return Buffer.from(JSON.stringify(parsed));
}

/** Asia/Shanghai wall-clock time of a moment, `YYYY-MM-DD HH:MM:SS+08:00`. */
const shanghai = (ms: number) => `${new Date(ms).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' })}+08:00`;

function list(ctx: CommandContext, records: DlqRecord[]): number {
  const payload = ctx.values.payload === true;
  if (payload) process.stderr.write('edumon: warning: --payload prints the original messages, raw student and staff ids included; do not share this output\n');
  const columns = ['dlq', 'rejected_at', 'topic', 'partition', 'offset', 'reason', 'sha256', 'bytes', ...(payload ? ['payload'] : [])];
  const rows = records.map((r) => [
    `${r.partition}:${r.offset}`,
    shanghai(r.timestamp),
    r.origin?.topic ?? null,
    r.origin?.partition ?? null,
    r.origin?.offset ?? null,
    r.reason,
    r.sha256,
    r.valueDropped ? null : r.bytes,
    ...(payload ? [r.value?.toString('utf8') ?? null] : []),
  ]);
  ctx.out(formatResult({ columns, rows }, ctx.values.json ? 'json' : 'table'));
  return 0;
}

async function purge(ctx: CommandContext): Promise<number> {
  let through: Map<number, bigint> | undefined;
  if (Array.isArray(ctx.values.through)) {
    through = new Map();
    for (const s of ctx.values.through) {
      const m = /^(\d+):(\d+)$/.exec(s);
      if (!m) throw usage(`--through '${s}' is not PARTITION:OFFSET`);
      through.set(Number(m[1]), BigInt(m[2]!));
    }
  }
  const config = ctx.config();
  const dlq = topicsOf(config).dlq;
  const kafka = createKafka(config, ctx.log(), '-dlq');
  const plan = await planPurge(config, kafka, through);
  const count = plan.reduce((n, p) => n + (p.before - p.low), 0n);
  const what = plan.map((p) => `partition ${p.partition} offsets ${p.low}-${p.before - 1n}`).join(', ');
  if (count === 0n) {
    ctx.out(`nothing to purge in ${dlq}`);
    return 0;
  }
  if (!ctx.values.yes) {
    process.stderr.write(`edumon: dlq purge would delete ${count} message(s) of ${dlq} (${what}) for good; add --yes to do it\n`);
    return 2;
  }
  const deleted = await purgeDlq(config, kafka, plan);
  ctx.out(`deleted ${deleted} message(s) of ${dlq} (${what})`);
  return 0;
}
