import { join } from 'node:path';
import type { Command } from '../../core/cli.ts';
import { topicsOf } from '../../core/config.ts';
import { connect, openWarehouse } from '../../core/db.ts';
import { createKafka } from '../../core/kafka.ts';
import { createPseudonymizer, resolvePseudonymKey } from '../../ingest/pseudonymize.ts';
import { ensureBroker } from '../../ingest/simulate/brokerUp.ts';
import { defaultOptions } from '../../ingest/simulate/options.ts';
import { publishFiles } from '../../ingest/simulate/publishOut.ts';
import { simulate } from '../../ingest/simulate/simulate.ts';
import { tableOf } from '../../pipeline/tables.ts';
import { startService } from '../../service/run.ts';

export const demoCmd: Command = {
  name: 'demo',
  summary: 'The main job end to end: local Kafka, a simulated Jiaozuo year published and ingested, a summary',
  usage: 'demo [--seed N] [--scale S] [--out DIR]',
  description:
    'Starts the local Kafka broker if none answers, simulates a year of Jiaozuo events (edumon simulate),\n' +
    'publishes them, runs the pipeline until every event is stored, and prints what the warehouse holds.',
  options: {
    seed: { type: 'string', value: 'N', help: 'simulation seed (default 1)' },
    scale: { type: 'string', value: 'S', help: 'simulation scale (default 1: Jiaozuo, about a million events)' },
    out: { type: 'string', value: 'DIR', help: 'where the simulated files go (default: data/demo beside the warehouse)' },
  },
  async run(ctx) {
    const config = ctx.config();
    const log = ctx.log();
    const t0 = Date.now();
    const secs = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
    const broker = await ensureBroker(config.kafka.brokers);
    ctx.out(`kafka: ${broker === 'started' ? 'started the local broker' : 'broker running'} at ${config.kafka.brokers.join(',')}`);
    const out = (ctx.values.out as string | undefined) ?? join(config.warehouse, '..', 'demo');
    const options = { ...defaultOptions, seed: Number(ctx.values.seed ?? 1), scale: Number(ctx.values.scale ?? 1) };
    const sim = simulate({ options, outDir: out, pseudonymize: createPseudonymizer(resolvePseudonymKey(config)), admissionTopic: topicsOf(config).admission });
    const files = Object.values(sim.events).reduce((a, b) => a + b, 0);
    ctx.out(`simulated ${files} events (${options.from}..${options.to}, seed ${options.seed}, scale ${options.scale}) into ${out} [${secs()}]`);
    const sent = await publishFiles({ dir: out, config, kafka: createKafka(config, log, '-demo'), log });
    ctx.out(`published ${sent} messages [${secs()}]`);
    const service = await startService(config, log);
    const idle = service.waitUntilIdle();
    idle.catch(() => undefined); // rejects only once the service stopped, which `failure` reports
    try {
      await Promise.race([idle, service.failure]);
    } finally {
      await service.stop();
    }
    ctx.out(
      `pipeline caught up: ${service.stats.stored} stored, ${service.stats.duplicates} duplicates skipped, ${service.stats.rejected} rejected [${secs()}]`,
    );

    const instance = await openWarehouse(config.warehouse, { readOnly: true });
    const conn = await connect(instance);
    const count = async (table: string) => Number((await conn.runAndReadAll(`select count(*) from ${table}`)).getRows()[0]![0]);
    ctx.out('');
    ctx.out(`warehouse ${config.warehouse}:`);
    const expected = sim.byType;
    let allMatch = true;
    for (const [type, table] of Object.entries(tableOf)) {
      const n = await count(table);
      const want = expected[type] ?? 0;
      allMatch &&= n === want;
      ctx.out(`  ${table.padEnd(24)} ${String(n).padStart(9)}${n === want ? '' : `   (the simulated files hold ${want})`}`);
    }
    ctx.out(`  ${'rejections'.padEnd(24)} ${String(await count('rejections')).padStart(9)}`);
    conn.closeSync();
    instance.closeSync();
    ctx.out(allMatch ? 'every simulated event is stored exactly once.' : 'the warehouse also holds other data (an earlier run with other settings?).');
    ctx.out(`truth: ${sim.violations} violations the rules should find, listed in ${join(out, 'truth.json')}`);
    ctx.out('');
    ctx.out('query it:');
    ctx.out(`  npx edumon query "select region_code, count(*) from current_schools group by all order by 1"`);
    ctx.out(`  npx edumon query "select period, sum(amount_yuan) from wage_payments group by all order by 1" --format csv`);
  },
};
