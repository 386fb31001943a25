/**
 * SQL for analysts (issue 23, part 9; analysts and the data team): a query box over POST /query's
 * read path (service/api.ts QueryPath: the same connection, sandbox, checks, limits and refusals),
 * the worked examples of sql/examples/ one click away (GET /sql?example=<name> fills the box, no
 * script needed), the answer as a table (its first 500 rows, every cell escaped) or as a CSV
 * (core/csv.ts: BOM, CRLF, no cell a spreadsheet runs) or Parquet download. Each run is audited:
 * who, the first 200 characters of the SQL, and whether it ran or was refused.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { EdumonError, messageOf } from '../../../core/errors.ts';
import { shanghaiWall } from '../../../core/shanghai.ts';
import { answerMedia, errorLine } from '../../queryAnswer.ts';
import { type ConsoleEnv, csrfField, page } from '../layout.ts';
import { maskedSql } from '../maskedSql.ts';
import { type ConsoleDeps, type Register, requirePage } from '../server.ts';
import { streamedFile } from '../streamedFile.ts';
import { type WorkedExample, workedExamples } from '../workedExamples.ts';

/** Rows of an answer shown on the page; the downloads carry them all. */
export const SHOWN_ROWS = 500;
/** Longest SQL text accepted (characters). */
const MAX_SQL_CHARS = 100_000;
/** Characters of the SQL kept in the audit trail (its literals masked: maskedSql.ts). */
const AUDITED_CHARS = 200;

const formats = ['table', 'csv', 'parquet'] as const;
type Format = (typeof formats)[number];

/** What the page shows under the box: an answer, or why there is none. */
type Outcome =
  | { kind: 'none' }
  | { kind: 'refused'; message: string }
  | { kind: 'table'; columns: string[]; columnTypes: string[]; rows: unknown[][]; total: number; ms: number };

export const registerSql: Register = (app, deps) => {
  const examples = workedExamples();
  app.get('/sql', requirePage(deps, 'sql'), (c) => {
    const chosen = examples.find((e) => e.name === c.req.query('example'));
    return c.html(sqlPage(c, deps, examples, chosen?.sql ?? '', { kind: 'none' }, chosen?.name));
  });

  app.post('/sql', requirePage(deps, 'sql'), async (c) => {
    const { t } = c.var;
    const form = await c.req.parseBody();
    const sql = typeof form.sql === 'string' ? form.sql.replace(/\r\n/g, '\n') : '';
    const format: Format = formats.find((f) => f === form.format) ?? 'table';
    const refuse = (message: string) => {
      c.status(400);
      return c.html(sqlPage(c, deps, examples, sql, { kind: 'refused', message }));
    };
    if (!sql.trim()) return refuse(t('请输入一条 SELECT 语句。', 'Give one SELECT statement.'));
    if (sql.length > MAX_SQL_CHARS) return refuse(t(`语句过长（超过 ${MAX_SQL_CHARS} 个字符）。`, `The statement is longer than ${MAX_SQL_CHARS} characters.`));
    const query = deps.query;
    if (!query) return refuse(t('查询暂不可用：服务仍在启动。', 'Queries are not available: the service is still starting.'));
    const audit = (outcome: 'ok' | 'refused' | 'failed', why?: string) =>
      deps.auth.audit({
        user: c.var.session!.user.id,
        action: `sql ${format}`,
        target: null,
        outcome,
        address: c.var.address,
        // Without the values typed in: an identifier an analyst typed must not land in the audit trail.
        detail: why ? `${maskedSql(sql, AUDITED_CHARS)}\n-- ${maskedSql(why, 300)}` : maskedSql(sql, AUDITED_CHARS),
      });
    /** A refusal (a UsageError, as POST /query answers 400) shown as such; anything else logged and said in general words. */
    const failed = async (err: unknown) => {
      if (err instanceof EdumonError) {
        await audit('refused', messageOf(err));
        return refuse(messageOf(err));
      }
      deps.log.error('console: a query failed', { error: maskedSql(messageOf(err), 500) });
      await audit('failed', messageOf(err));
      return refuse(t('查询出错，请稍后再试。', 'The query failed; try again later.'));
    };
    const signal = c.req.raw.signal;

    if (format === 'table') {
      const started = Date.now();
      try {
        const answer = await query.table(sql, SHOWN_ROWS, signal);
        await audit('ok');
        return c.html(sqlPage(c, deps, examples, sql, { kind: 'table', ...answer, ms: Date.now() - started }));
      } catch (err) {
        return failed(err);
      }
    }
    const file = await streamedFile(
      (out, gone) => query.file(sql, format, out, AbortSignal.any([signal, gone])),
      (message) => errorLine(format, message),
    );
    if (!file.ok) return failed(file.error);
    await audit('ok');
    const { contentType, extension } = answerMedia[format];
    const stamp = shanghaiWall(deps.clock()).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    return new Response(file.body, {
      status: 200,
      headers: {
        'Content-Type': contentType,
        'Content-Disposition': `attachment; filename="edumon-query-${stamp}.${extension}"`,
      },
    });
  });
};

/** A cell as text: NULL marked, nested values (lists, structs, maps) as JSON. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

function sqlPage(c: Context<ConsoleEnv>, deps: ConsoleDeps, examples: readonly WorkedExample[], sql: string, outcome: Outcome, chosen?: string) {
  const { t, lang } = c.var;
  const session = c.var.session!;
  const limits = deps.config.query;
  const answer =
    outcome.kind === 'refused'
      ? html`<div class="notice" role="alert" id="answer"><strong>${t('查询被拒绝或未能完成：', 'The query was refused or did not finish:')}</strong><br><code>${outcome.message}</code></div>`
      : outcome.kind === 'table'
        ? html`<h2 id="answer">${t('结果', 'Answer')}</h2>
<div class="scroll" role="region" aria-labelledby="answer-caption" tabindex="0">
<table class="answer">
<caption id="answer-caption">${
            outcome.total > outcome.rows.length
              ? t(
                  `共 ${outcome.total} 行，显示前 ${outcome.rows.length} 行（下载可得全部）；用时 ${outcome.ms} 毫秒`,
                  `${outcome.total} rows; the first ${outcome.rows.length} shown (download for all); ${outcome.ms} ms`,
                )
              : t(`共 ${outcome.total} 行；用时 ${outcome.ms} 毫秒`, `${outcome.total} row${outcome.total === 1 ? '' : 's'}; ${outcome.ms} ms`)
          }</caption>
<thead><tr>${outcome.columns.map((col, i) => html`<th scope="col">${col}<br><small>${outcome.columnTypes[i] ?? ''}</small></th>`)}</tr></thead>
<tbody>${outcome.rows.map(
            (row) =>
              html`<tr>${row.map((v, i) =>
                v === null || v === undefined
                  ? html`<td><small>NULL</small></td>`
                  : NUMERIC.test(outcome.columnTypes[i] ?? '')
                    ? html`<td class="num">${cellText(v)}</td>`
                    : html`<td>${cellText(v)}</td>`,
              )}</tr>`,
          )}</tbody>
</table></div>`
        : '';
  const body = html`
<form method="post" action="/sql#answer" class="sql card">
  ${csrfField(session)}
  <label for="sql">${t('SQL：一条 SELECT（或 EXPLAIN）语句', 'SQL: one SELECT (or EXPLAIN) statement')}</label>
  <textarea id="sql" name="sql" class="sql" rows="14" spellcheck="false" autocapitalize="off" required aria-describedby="sql-limits">${sql}</textarea>
  <p id="sql-limits"><small>${t(
    `只读，只能读取仓库中的表与视图；最多 ${limits.maxRows} 行，${limits.timeoutMs / 1000} 秒。CSV 为 UTF-8（带 BOM）、CRLF 换行，可直接用 Excel、WPS 打开；以 = + - @ 开头的文本前加 ' 以免被当作公式。`,
    `Read-only: the warehouse's tables and views only; at most ${limits.maxRows} rows and ${limits.timeoutMs / 1000} s. The CSV is UTF-8 with a byte order mark and CRLF line ends, for Excel and WPS; text starting with = + - @ gets a leading ' so it is never run as a formula.`,
  )}</small></p>
  <div class="actions">
    <button type="submit" name="format" value="table">${t('运行', 'Run')}</button>
    <button type="submit" name="format" value="csv">${t('下载 CSV', 'Download CSV')}</button>
    <button type="submit" name="format" value="parquet">${t('下载 Parquet', 'Download Parquet')}</button>
  </div>
</form>
${answer}
<h2 id="examples">${t('示例查询', 'Worked examples')}</h2>
<p><small>${t('点击一个示例，把它的 SQL 填入上面的输入框。', 'Pick an example to put its SQL in the box above.')}</small></p>
<ul class="examples" aria-labelledby="examples">
${examples.map(
  (e) =>
    html`<li><a href="/sql?example=${encodeURIComponent(e.name)}" ${e.name === chosen ? html`aria-current="true"` : ''}>${
      lang === 'en' ? e.questionEn : e.questionZh
    }</a><br><small>${e.name}${e.name === chosen ? t('（已填入）', ' (in the box)') : ''} · ${t('读取', 'Reads')}: ${e.reads}</small></li>`,
)}
</ul>`;
  return page(c, { title: t('SQL 查询', 'SQL'), body, current: 'sql' });
}
