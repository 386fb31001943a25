import { writeFileSync } from 'node:fs';
import type { DigestAnswer } from '../../alerts/digest/digestRequest.ts';
import { dueDigestWeek } from '../../alerts/digest/sendDay.ts';
import type { Command } from '../../core/cli.ts';
import { UsageError } from '../../core/errors.ts';
import { CITY_CODE } from '../../core/regions.ts';
import { visibleText } from '../../core/text.ts';
import { serviceOrWarehouse } from '../../service/serviceOrWarehouse.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export const digestCmd: Command = {
  name: 'digest',
  summary: 'The weekly indicator digest: preview one to a file, or send the week’s to every contact',
  usage: 'digest [--week 2025-W27] [--region CODE] [--lang zh-CN|en] [--out FILE.html] | digest --send [--week W]',
  description:
    'Without --send: renders the digest of --week (default: the latest due, last week once its send day has\n' +
    'come) for --region (default 410800, the city: every region) into FILE.html (default digest-WEEK-REGION.html;\n' +
    'its trend images inline, so a browser shows them), with the plain text (.txt) and the workbook (.xlsx)\n' +
    'beside it. With --send: writes the week’s digests to the outbox for every contact (each once per week and\n' +
    'contact, whatever was sent before); `edumon run` sends them. Through `edumon run` while it is up.',
  options: {
    week: { type: 'string', value: 'W', help: 'the ISO week, e.g. 2025-W27 (Asia/Shanghai; default: the latest due)' },
    region: { type: 'string', value: 'CODE', help: 'preview: whose digest (a county or district code; default 410800, the city)' },
    lang: { type: 'string', value: 'zh-CN|en', help: 'preview: the language (default zh-CN)' },
    out: { type: 'string', value: 'FILE', help: 'preview: where the HTML goes' },
    send: { type: 'boolean', help: 'write the week’s digests to the outbox for every contact' },
  },
  async run(ctx) {
    if (ctx.positionals.length) throw new UsageError(`digest: takes no arguments (got '${ctx.positionals.join(' ')}')`);
    const config = ctx.config();
    const now = new Date();
    const week = str(ctx.values.week) ?? dueDigestWeek(now.getTime(), config.notify.calendarOverrides).label;
    const lang = str(ctx.values.lang);
    if (lang !== undefined && lang !== 'zh-CN' && lang !== 'en') throw new UsageError(`digest: --lang is zh-CN or en, not '${lang}'`);
    const language: 'zh-CN' | 'en' | undefined = lang;
    const region = str(ctx.values.region);
    const req = { week, ...(region ? { region } : {}), ...(language ? { language } : {}), ...(ctx.values.send ? { send: true } : {}) };
    // The digest is made here only on a stopped warehouse: through the service no chart or workbook library loads.
    const answer = await serviceOrWarehouse<DigestAnswer, '/digest'>(
      config.warehouse,
      { path: '/digest', body: req },
      { write: Boolean(req.send) },
      async (conn) => (await import('../../alerts/digest/digestRequest.ts')).digestRequest(conn, config, req, now),
    );
    if (answer.kind === 'sent') {
      ctx.out(
        `周报 ${answer.week}：写入发件箱 ${answer.written} 封，已有 ${answer.alreadyThere} 封 / digests written to the outbox: ${answer.written}, already there: ${answer.alreadyThere}`,
      );
      return 0;
    }
    const out = str(ctx.values.out) ?? `digest-${week}-${region ?? CITY_CODE}.html`;
    // A browser cannot resolve cid: images: inline them as data: URLs in the preview file only.
    let html = answer.html;
    for (const a of answer.attachments) if (a.cid) html = html.split(`cid:${a.cid}`).join(`data:${a.contentType};base64,${a.content}`);
    writeFileSync(out, html, { mode: 0o600 });
    const base = out.replace(/\.html?$/i, '');
    writeFileSync(`${base}.txt`, answer.text, { mode: 0o600 });
    const workbook = answer.attachments.find((a) => a.filename.endsWith('.xlsx'));
    if (workbook) writeFileSync(`${base}.xlsx`, Buffer.from(workbook.content, 'base64'), { mode: 0o600 });
    ctx.out(visibleText(`主题 subject: ${answer.subject}`));
    ctx.out(`已写入 written: ${out}, ${base}.txt${workbook ? `, ${base}.xlsx` : ''}`);
    return 0;
  },
};
