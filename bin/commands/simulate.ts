import type { Command } from '../../core/cli.ts';
import { UsageError } from '../../core/errors.ts';
import { createKafka } from '../../core/kafka.ts';
import { makePrivate } from '../../core/privateFiles.ts';
import { eventTopicsOf, topicsOf } from '../../domain/topics.ts';
import { createPseudonymizer, resolvePseudonymKey } from '../../ingest/pseudonymize.ts';
import { defaultOptions, type SimulateOptions } from '../../simulator/options.ts';
import { publishFiles } from '../../simulator/publishOut.ts';
import { simulate } from '../../simulator/simulate.ts';

const rss = () => `rss ${Math.round(process.memoryUsage().rss / 1048576)} MB`;

export const simulateCmd: Command = {
  name: 'simulate',
  summary: 'Generate a realistic Jiaozuo year of contract events with known violations (truth.json)',
  usage: 'simulate --out DIR [--seed N] [--scale S] [--from DATE --to DATE] [--corrupt RATE] [--publish [--rate N]]',
  description:
    'Writes DIR/registry.jsonl, admission.jsonl, enrollment.jsonl, funding.jsonl (one JSON contract event per\n' +
    'line, each file in occurred_at order) and DIR/truth.json: every violation the rules must find as of the\n' +
    'end of the span, students and staff named by their pseudonym under the configured key (EDUMON_PSEUDONYM_KEY,\n' +
    'or in dev the key beside --warehouse: use the same one as `edumon run`). The same seed and\n' +
    'arguments give byte-identical files. --scale 28 is about Henan-sized and streams through bounded memory.\n' +
    'Rule semantics and the world are described in docs/SIMULATOR.md.',
  options: {
    out: { type: 'string', short: 'o', value: 'DIR', help: 'output directory (created if missing; files are replaced)' },
    seed: { type: 'string', value: 'N', help: 'random seed (default 1)' },
    scale: { type: 'string', value: 'S', help: 'size relative to Jiaozuo, 0.05-30 (default 1; 28 is about Henan)' },
    from: { type: 'string', value: 'DATE', help: 'first day, YYYY-MM-DD, Asia/Shanghai (default 2025-01-01)' },
    to: { type: 'string', value: 'DATE', help: 'last day, YYYY-MM-DD (default 2025-12-31); truth is as of its 23:59:59' },
    corrupt: { type: 'string', value: 'RATE', help: 'mix in malformed lines and duplicate deliveries at this rate, e.g. 0.01' },
    'exempt-admission-types': { type: 'string', value: 'LIST', help: 'admission types ADM-CROSS-REGION skips, comma-separated (default none)' },
    publish: { type: 'boolean', help: 'also send the events to Kafka (topics per config prefix), in occurred_at order' },
    rate: { type: 'string', value: 'N', help: 'with --publish: at most N events per second (default: as fast as possible)' },
  },
  async run(ctx) {
    const v = ctx.values;
    const out = v.out as string | undefined;
    if (!out) throw new UsageError('simulate: --out DIR is required');
    const num = (name: string, fallback: number) => {
      const raw = v[name] as string | undefined;
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`simulate: --${name} must be a number, got '${raw}'`);
      return n;
    };
    const rate = v.rate === undefined ? undefined : num('rate', 0);
    if (rate !== undefined && (!v.publish || !(rate > 0))) throw new UsageError('simulate: --rate needs --publish and a number of events per second above 0');
    const options: SimulateOptions = {
      ...defaultOptions,
      seed: num('seed', defaultOptions.seed),
      scale: num('scale', defaultOptions.scale),
      from: (v.from as string | undefined) ?? defaultOptions.from,
      to: (v.to as string | undefined) ?? defaultOptions.to,
      corrupt: num('corrupt', 0),
      exemptAdmissionTypes: ((v['exempt-admission-types'] as string | undefined) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
    const config = ctx.config();
    const started = Date.now();
    let lastShown = started;
    makePrivate(out); // an older, world-readable output folder: its files (raw ids) are replaced inside
    const report = simulate({
      options,
      outDir: out,
      pseudonymize: createPseudonymizer(resolvePseudonymKey(config)),
      admissionTopic: topicsOf(config).admission,
      onProgress: (done, total, events) => {
        const now = Date.now();
        if (now - lastShown < 2000 && done < total) return;
        lastShown = now;
        process.stderr.write(`simulate: ${done}/${total} schools, ${events} events generated (${((now - started) / 1000).toFixed(1)} s, ${rss()})\n`);
      },
      onWrite: (family) => process.stderr.write(`simulate: writing ${family}.jsonl (${((Date.now() - started) / 1000).toFixed(1)} s, ${rss()})\n`),
    });
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const total = Object.values(report.events).reduce((a, b) => a + b, 0);
    ctx.out(
      `wrote ${total} events to ${out} in ${secs} s: ${Object.entries(report.events)
        .map(([f, n]) => `${f} ${n}`)
        .join(', ')}`,
    );
    if (options.corrupt > 0) ctx.out(`mixed in ${report.corrupt.malformed} malformed lines and ${report.corrupt.duplicates} duplicate deliveries`);
    const rules = Object.values(report.byRule).filter((n) => n > 0).length;
    ctx.out(`truth.json: ${report.violations} violations of ${rules} rules`);
    if (v.publish) {
      const log = ctx.log();
      const sent = await publishFiles({ dir: out, config, kafka: createKafka(config, log, '-simulate'), log, ...(rate !== undefined ? { rate } : {}) });
      ctx.out(`published ${sent} messages to ${eventTopicsOf(config).join(', ')}`);
    }
  },
};
