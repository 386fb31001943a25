/**
 * The indicators page (issue 23, part 7): the weekly digest's figures table for any ended week and
 * a region the reader may read (roles.ts indicatorRegions; the city, every region, for all but
 * county officials), the 8 weeks' trends as charts, and the week's workbook to download: the same
 * digest model (service/console/indicatorDigests.ts) worded as the email words it
 * (alerts/digest/render.ts digestTable, digestWorkbookFile), in the reader's language.
 *
 * Routes: GET /indicators?week=2025-W27&region=410825 (both optional: the last ended week as of the
 * service's clock, the reader's first region or the city) and GET /indicators/workbook?week=&region=
 * (the .xlsx the digest attaches). A region outside the reader's is refused (403) and audited; a
 * week that is not an ISO week, or has not ended, is said so (400).
 *
 * The charts: the trend values go in a `<script type="application/json" id="trend-data">` (data,
 * never run, so the CSP allows it; `<` written as \u003c so no value can close the element), drawn
 * by /static/charts.js with ECharts from /static/echarts.min.js. Each chart has its values as a table
 * beside it (and a label naming the scope's own), so nothing is only in the picture.
 */
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { digestRendering } from '../../../alerts/digest/digestEmails.ts';
import { digestWordingFor } from '../../../alerts/digest/digestWording.ts';
import type { IsoWeek } from '../../../alerts/digest/model.ts';
import { type DigestTable, digestTable, digestWorkbookFile, valueText } from '../../../alerts/digest/render.ts';
import { parseIsoWeek, previousWeek, weekOf } from '../../../alerts/digest/week.ts';
import { CITY_CODE, regionOf, regions } from '../../../core/regions.ts';
import { indicatorDigests } from '../indicatorDigests.ts';
import { jsonForScript } from '../jsonForScript.ts';
import { type ConsoleEnv, page, refusal, shanghaiText } from '../layout.ts';
import { indicatorRegions } from '../roles.ts';
import { type ConsoleDeps, type Register, requirePage } from '../server.ts';

export const registerIndicators: Register = (app, deps) => {
  const gate = requirePage(deps, 'indicators');
  const digests = indicatorDigests(deps);
  const rendering = digestRendering(deps.config);

  app.get('/indicators', gate, async (c) => {
    const asked = await ask(c, deps, 'view indicators');
    if (asked.refused) return asked.refused;
    if (asked.problem) {
      c.status(400);
      return c.html(indicatorsPage(c, asked, null));
    }
    const digest = await digests(asked.week!, asked.region);
    const table = digestTable(digest, rendering(c.var.lang, asked.region));
    return c.html(indicatorsPage(c, asked, { table, asOf: digest.week.asOf, composedAt: digest.composedAt }));
  });

  app.get('/indicators/workbook', gate, async (c) => {
    const asked = await ask(c, deps, 'download indicators');
    if (asked.refused) return asked.refused;
    if (asked.problem) return refusal(c, 400, c.var.t('无法下载', 'Cannot download'), asked.problem);
    const digest = await digests(asked.week!, asked.region);
    const { filename, xlsx } = await digestWorkbookFile(digest, rendering(c.var.lang, asked.region));
    return c.body(new Uint8Array(xlsx), 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': contentDisposition(filename, `edumon-${asked.week!.label}-${asked.region}.xlsx`),
    });
  });
};

/** What a request asks for: the week (null when its label is wrong), the region, the choices offered; or a refusal, or the problem with the week or region. */
interface Asked {
  weekText: string;
  week: IsoWeek | null;
  /** The last week ended as of the service's clock: the default and the latest that may be asked. */
  lastWeek: IsoWeek;
  region: string;
  choices: readonly string[];
  problem?: string;
  refused?: Response | Promise<Response>;
}

/** Reads week and region from the query, checks them against the clock and the reader's regions (a refusal is audited as `action`). */
async function ask(c: Context<ConsoleEnv>, deps: ConsoleDeps, action: string): Promise<Asked> {
  const { t } = c.var;
  const user = c.var.session!.user;
  const allowed = indicatorRegions(user);
  const choices = allowed === 'all' ? regions.map((r) => r.code) : allowed;
  const lastWeek = previousWeek(weekOf(deps.clock().getTime()));
  const weekText = (c.req.query('week') ?? '').trim() || lastWeek.label;
  const region = (c.req.query('region') ?? '').trim() || (choices[0] ?? CITY_CODE);
  const asked: Asked = { weekText, week: null, lastWeek, region, choices };
  if (!regionOf(region)) return { ...asked, region: choices[0] ?? CITY_CODE, problem: t(`没有地区代码 ${region}。`, `There is no region ${region}.`) };
  if (!choices.includes(region)) {
    await deps.auth.audit({
      user: user.id,
      action,
      target: `region ${region}`,
      outcome: 'refused',
      address: c.var.address,
      detail: `outside the account's regions (${user.regions.join(',')})`,
    });
    return {
      ...asked,
      refused: refusal(c, 403, t('无权查看', 'Not allowed'), t('您只能查看所辖地区的指标。', 'You can read the indicators of the regions you cover only.')),
    };
  }
  let week: IsoWeek;
  try {
    week = parseIsoWeek(weekText);
  } catch {
    return { ...asked, problem: t(`“${weekText}”不是 ISO 周，应写作 2025-W27。`, `“${weekText}” is not an ISO week: write it as 2025-W27.`) };
  }
  if (Date.parse(week.end) > Date.parse(lastWeek.end))
    return {
      ...asked,
      problem: t(`${week.label} 尚未结束，最近结束的一周是 ${lastWeek.label}。`, `${week.label} has not ended: the last week ended is ${lastWeek.label}.`),
    };
  return { ...asked, week };
}

/** `attachment` with an ASCII fallback name and the real one (RFC 6266 / 5987). */
function contentDisposition(filename: string, fallback: string): string {
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const regionLabel = (code: string, lang: string) => {
  const r = regionOf(code);
  return r ? (lang === 'en' ? r.en : r.zh) : code;
};

function indicatorsPage(c: Context<ConsoleEnv>, asked: Asked, shown: { table: DigestTable; asOf: string; composedAt: string } | null) {
  const { t, lang } = c.var;
  const title = t('指标', 'Indicators');
  const form = html`
<form method="get" action="/indicators" class="filters" aria-label="${t('选择周和地区', 'Choose the week and region')}">
  <label>${t('周（ISO 周，如 2025-W27）', 'Week (ISO, e.g. 2025-W27)')}<input type="week" name="week" value="${asked.weekText}" max="${asked.lastWeek.label}" pattern="[0-9]{4}-W[0-9]{2}" required></label>
  <label>${t('地区', 'Region')}<select name="region">${asked.choices.map(
    (code) => html`<option value="${code}" ${code === asked.region ? raw('selected') : ''}>${regionLabel(code, lang)}</option>`,
  )}</select></label>
  <button type="submit">${t('查看', 'Show')}</button>
</form>`;
  if (!shown) return page(c, { title, current: 'indicators', body: html`${form}<p class="notice" role="alert">${asked.problem}</p>` });

  const { table } = shown;
  const week = asked.week!;
  const w = digestWordingFor(lang);
  const query = `week=${encodeURIComponent(week.label)}&region=${encodeURIComponent(asked.region)}`;
  const manyRegions = table.groups.some((g) => g.rows.length > 1);
  const scopeRows = table.groups.flatMap((g) => g.rows.filter((r) => r.region === asked.region));
  const missed = scopeRows.filter((r) => r.figure.met === false).length;
  const worse = scopeRows.filter((r) => r.worse !== null).length;

  const quality = table.quality.lines.length
    ? html`<div class="notice" role="status"><p>${table.quality.warn}</p><ul>${table.quality.lines.map((l) => html`<li>${l}</li>`)}</ul></div>`
    : html`<p class="quality-ok">${table.quality.ok}</p>`;

  const figuresTable = html`
<div class="table-scroll" role="region" aria-labelledby="figures-caption" tabindex="0">
<table class="indicators">
<caption id="figures-caption">${t(
    `${table.scopeName} ${week.label}：${missed} 项未达标，${worse} 项变差`,
    `${table.scopeName} ${week.label}: ${missed} missed, ${worse} worse`,
  )}</caption>
<thead><tr>
  <th scope="col">${w.cols.figure}</th>${manyRegions ? html`<th scope="col">${w.cols.region}</th>` : ''}
  <th scope="col" class="num">${w.cols.value}</th><th scope="col">${w.cols.met}</th><th scope="col">${w.cols.change}</th><th scope="col">${w.cols.why}</th>
</tr></thead>
${table.groups.map(
  (g) =>
    html`<tbody>${g.rows.map(
      (r, i) => html`<tr class="${r.region === asked.region && manyRegions ? 'scope-row' : ''}">
  ${i === 0 ? html`<th scope="rowgroup" rowspan="${g.rows.length}">${g.name}<small class="target">${g.target}</small></th>` : ''}
  ${manyRegions ? html`<td class="region">${r.regionName}</td>` : ''}
  <td class="num" data-label="${w.cols.value}">${r.value}</td>
  <td data-label="${w.cols.met}"><span class="${r.figure.met === true ? 'met' : r.figure.met === false ? 'missed' : ''}">${r.met}</span></td>
  <td data-label="${w.cols.change}"><span class="${r.direction > 0 ? 'better' : r.direction < 0 ? 'worse' : ''}">${r.change}${
    r.direction !== 0 ? html` <small>${r.direction > 0 ? t('（改善）', '(better)') : t('（退步）', '(worse)')}</small>` : ''
  }</span></td>
  <td data-label="${w.cols.why}">${r.worse ? html`<span class="worse">${r.worse}</span>` : ''}</td>
</tr>`,
    )}</tbody>`,
)}
</table>
</div>
${table.covers ? html`<p class="note">${table.covers}</p>` : ''}`;

  const charts = table.groups.map((g, i) => {
    const own = g.rows.find((r) => r.region === asked.region) ?? g.rows[0]!;
    const said = table.weeks.map((wk, j) => `${wk} ${valueText(g.def, own.figure.trend[j] ?? null, w)}`).join(t('，', ', '));
    return html`<figure class="trend">
<figcaption>${g.name} <small>${g.target}</small></figcaption>
<div class="chart" id="trend-${i}" role="img" aria-label="${t(`${g.name}近8周趋势，${own.regionName}：${said}`, `${g.name}, last 8 weeks, ${own.regionName}: ${said}`)}"></div>
<details><summary>${t('数值表', 'Values')}</summary>
<div class="table-scroll"><table class="trend-values"><caption>${g.name}</caption>
<thead><tr><th scope="col">${w.cols.region}</th>${table.weeks.map((wk) => html`<th scope="col" class="num">${wk}</th>`)}</tr></thead>
<tbody>${g.rows.map(
      (r) =>
        html`<tr><th scope="row">${r.regionName}</th>${table.weeks.map((_, j) => html`<td class="num">${valueText(g.def, r.figure.trend[j] ?? null, w)}</td>`)}</tr>`,
    )}</tbody></table></div>
</details>
</figure>`;
  });

  const body = html`${form}
<p class="week-facts">${t(
    `${week.label}（${shanghaiText(week.start).slice(0, 10)} 至 ${shanghaiText(week.asOf).slice(0, 10)}） · 数据截至 ${shanghaiText(shown.asOf)} · 生成于 ${shanghaiText(shown.composedAt)}（北京时间）`,
    `${week.label} (${shanghaiText(week.start).slice(0, 10)} to ${shanghaiText(week.asOf).slice(0, 10)}) · figures as of ${shanghaiText(shown.asOf)} · composed at ${shanghaiText(shown.composedAt)} (Beijing time)`,
  )}</p>
<p><a class="download" href="/indicators/workbook?${query}" download>${t('下载本周工作簿（.xlsx，各指标近8周数值与本周告警）', "Download the week's workbook (.xlsx: every figure's 8 weeks and the week's alerts)")}</a></p>
<h2>${w.sections.quality}</h2>
${quality}
<h2>${w.sections.figures}</h2>
${figuresTable}
<h2>${t('近8周趋势', 'The last 8 weeks')}</h2>
<p class="note">${t(
    `${table.weeks[0]} 至 ${table.weeks[table.weeks.length - 1]} 每周末的数值；虚线为目标。每张图下的“数值表”列出图中全部数值。`,
    `Values at the end of each week from ${table.weeks[0]} to ${table.weeks[table.weeks.length - 1]}; the dashed line is the target. “Values” under each chart lists every value it shows.`,
  )}</p>
<div class="trend-grid">${charts}</div>
<script type="application/json" id="trend-data">${raw(jsonForScript(trendData(table, asked.region, lang)))}</script>`;
  return page(c, { title, current: 'indicators', body, scripts: ['/static/echarts.min.js', '/static/charts.js'] });
}

/** What static/charts.js draws: per figure its chart's element, unit, target and one line per region (the reader's region first). */
export function trendData(table: DigestTable, scope: string, lang: string) {
  return {
    weeks: table.weeks,
    labels: { target: lang === 'en' ? 'Target' : '目标' },
    figures: table.groups.map((g, i) => ({
      el: `trend-${i}`,
      name: g.name,
      unit: g.def.unit,
      target: g.def.target,
      series: [...g.rows]
        .sort((a, b) => Number(b.region === scope) - Number(a.region === scope))
        .map((r) => ({ name: r.regionName, main: r.region === scope, values: r.figure.trend.map((v) => (v !== null && Number.isFinite(v) ? v : null)) })),
    })),
  };
}
