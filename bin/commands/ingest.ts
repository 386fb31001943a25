import type { Command } from '../../core/cli.ts';
import { UsageError } from '../../core/errors.ts';
import { createKafka } from '../../core/kafka.ts';
import { ingestFiles } from '../../ingest/ingestFiles.ts';

const SHOWN = 50;

export const ingest: Command = {
  name: 'ingest',
  summary: 'Validate JSON Lines / CSV files of contract events and publish them to Kafka',
  usage: 'ingest FILE... [--type T] [--format jsonl|csv] [--encoding E]',
  description:
    'Every record is checked against the event contract. Valid records are published to their\n' +
    'topic (keyed by school_id, else region_code); each rejected one is reported as FILE:LINE: reason.\n' +
    'Files are read strictly in their encoding: a line with bytes that are not valid in it is rejected\n' +
    '(a CSV saved by Excel on Chinese Windows is GB18030: pass --encoding gb18030).\n' +
    'Exit status: 0 all published, 1 some lines rejected (the valid ones are still published), 2 usage error.',
  options: {
    type: { type: 'string', value: 'T', help: 'event type of records without a `type` field (CSV: one type per file)' },
    format: { type: 'string', value: 'F', help: 'jsonl or csv (default: from the file extension)' },
    encoding: { type: 'string', value: 'E', help: 'text encoding of the files: utf-8 (default), gb18030, gbk, big5, ...' },
  },
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError('ingest: name at least one file');
    const config = ctx.config();
    const log = ctx.log();
    let shown = 0;
    const report = await ingestFiles({
      files: ctx.positionals,
      type: ctx.values.type as string | undefined,
      format: ctx.values.format as string | undefined,
      encoding: ctx.values.encoding as string | undefined,
      config,
      kafka: createKafka(config, log, '-ingest'),
      log,
      onReject: (r) => {
        if (shown++ < SHOWN) process.stderr.write(`${r.file}:${r.line}: ${r.reason}\n`);
      },
    });
    if (report.rejected > SHOWN) process.stderr.write(`... and ${report.rejected - SHOWN} more rejected lines\n`);
    for (const f of report.files) ctx.out(`${f.file}: ${f.read} records, ${f.published} published, ${f.rejected} rejected`);
    return report.rejected > 0 ? 1 : 0;
  },
};
