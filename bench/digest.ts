/**
 * Digest benchmark (issue 13): building every digest of the city for one week (the city's and each
 * region's: figures of 8 week-ends, alerts, data quality, trend pictures, workbook), as the service
 * writes them to the outbox. Simulates a year (`node bin/edumon.mjs simulate --seed 1 --scale S
 * --out DIR/sim`) unless DIR already holds it, loads it into DIR/warehouse.duckdb through decode +
 * pseudonymise + Sink.write (no Kafka) unless that exists, then for each week times, best of
 * --runs: every digest with no week-end kept (cold: the first digest after install), and every
 * digest with the 7 week-ends before kept (steady: each Monday's digest, computing its own end).
 * Targets: under 2 s at scale 1, under 20 s at scale 28. Keeps DIR for the next run.
 *
 *   node --import tsx bench/digest.ts --dir DIR [--scale 1] [--weeks 2025-W27,2025-W52] [--runs 3]
 */
import { cpus, loadavg } from 'node:os';
import { buildDigests, type DigestRecipient, digestRendering } from '../alerts/digest/digestEmails.ts';
import type { IsoWeek } from '../alerts/digest/model.ts';
import { renderDigest } from '../alerts/digest/render.ts';
import { parseIsoWeek } from '../alerts/digest/week.ts';
import { loadConfig } from '../core/config.ts';
import { connect, openWarehouse } from '../core/db.ts';
import { regions } from '../core/regions.ts';
import { fmt, parseBenchArgs } from './common.ts';
import { BENCH_KEY, simulatedWarehouse } from './simulatedWarehouse.ts';

const USAGE = 'usage: node --import tsx bench/digest.ts --dir DIR [--scale 1] [--weeks 2025-W27,2025-W52] [--runs 3]';

async function main(): Promise<number> {
  const args = parseBenchArgs(
    process.argv.slice(2),
    { dir: { type: 'string' }, scale: { type: 'string' }, weeks: { type: 'string' }, runs: { type: 'string' } },
    USAGE,
  );
  if (typeof args === 'number') return args;
  if (!args.dir) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const path = await simulatedWarehouse(args.dir, args.scale ?? '1');
  const config = loadConfig({ env: {}, overrides: { warehouse: path, pseudonymKey: BENCH_KEY } });
  const everyScope: DigestRecipient[] = regions.map((r) => ({
    contact: { id: `bench-${r.code}`, name: r.zh, email: `${r.code}@bench.invalid`, minSeverity: 'info', language: 'zh-CN' },
    scope: r.code,
  }));
  const instance = await openWarehouse(path);
  const conn = await connect(instance);
  const forget = (asOf?: string) =>
    asOf === undefined ? conn.run('delete from digest_figures') : conn.run('delete from digest_figures where as_of = $a::timestamptz', { a: asOf });
  // Every digest of the city for the week: the city's and each region's, composed and rendered
  // (trend images, workbook) as the service writes them to the outbox.
  const everyDigest = async (week: IsoWeek) => {
    let bytes = 0;
    const optionsFor = digestRendering(config);
    for (const { recipient, digest } of await buildDigests(conn, config, week, everyScope, new Date())) {
      const r = await renderDigest(digest, optionsFor('zh-CN', recipient.scope));
      bytes += r.html.length + r.attachments.reduce((n, a) => n + a.content.length, 0);
    }
    return bytes;
  };
  const best = async (label: string, what: string, runs: number, before: () => Promise<unknown>, run: () => Promise<string>) => {
    const times: number[] = [];
    let said = '';
    for (let i = 0; i < runs; i++) {
      await before();
      const t0 = performance.now();
      said = await run();
      times.push(performance.now() - t0);
    }
    process.stdout.write(
      `${label}: ${what}: best ${fmt(Math.min(...times))} ms (runs ${times.map(fmt).join(', ')} ms; ${said}; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)})\n`,
    );
  };
  try {
    const runs = Number(args.runs ?? '3');
    for (const label of (args.weeks ?? '2025-W27,2025-W52').split(',')) {
      const week = parseIsoWeek(label);
      // Cold: no week-end kept (the first digest after install, or a late event in the first of the 8 weeks).
      await best(label, 'every digest of the city, 8 week-ends computed', runs, forget, async () => `${fmt((await everyDigest(week)) / 1024)} KB of email`);
      // Steady: the week before's digests kept weeks -7..-1; this week's computes its own end only.
      await best(
        label,
        'every digest of the city, 1 week-end computed (7 kept)',
        runs,
        () => forget(week.asOf),
        async () => `${fmt((await everyDigest(week)) / 1024)} KB of email`,
      );
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return 0;
}

process.exitCode = await main();
