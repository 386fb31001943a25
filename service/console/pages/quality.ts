/**
 * Rule quality as officials judged it (issue 23, part 6; city officials, the data team, admins):
 * per rule and region, the alerts raised in a window, the share acknowledged, the median time to
 * acknowledge and the precision the outcomes give (确认违规 + 已整改 against 数据有误 + 误报:
 * alerts/ruleQuality.ts). A precision under digest.judgedPrecisionFloor, with at least
 * digest.judgedMinimum judged, is marked 偏低 in words, as the city's digest lists it.
 */
import { html } from 'hono/html';
import { ruleQuality } from '../../../alerts/ruleQuality.ts';
import { regionName, regions } from '../../../core/regions.ts';
import { page } from '../layout.ts';
import { type Register, requirePage } from '../server.ts';

const WINDOWS = [28, 90, 365] as const;
const DAY = 86_400_000;

export const registerQuality: Register = (app, deps) => {
  app.get('/quality', requirePage(deps, 'quality'), async (c) => {
    const { t, lang } = c.var;
    const days = WINDOWS.find((d) => String(d) === c.req.query('days')) ?? 28;
    const regionParam = c.req.query('region');
    const region = regions.some((r) => r.code === regionParam) ? regionParam : undefined;
    const until = deps.clock();
    const since = new Date(until.getTime() - days * DAY);
    const rows = await deps.db.read((conn) => ruleQuality(conn, { since, until, ...(region ? { region } : {}) }));
    const { judgedPrecisionFloor: floor, judgedMinimum: minimum } = deps.config.digest;
    const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`);
    const low = (r: (typeof rows)[number]) => r.precision !== null && r.judged >= minimum && r.precision < floor;
    const body = html`
<form method="get" action="/quality" class="filters" aria-label="${t('筛选', 'Filter')}">
  <label>${t('时间范围', 'Window')}<select name="days">${WINDOWS.map((d) => html`<option value="${d}" ${d === days ? 'selected' : ''}>${t(`最近 ${d} 天`, `Last ${d} days`)}</option>`)}</select></label>
  <label>${t('区域', 'Region')}<select name="region"><option value="">${t('全部', 'All')}</option>${regions.map((r) => html`<option value="${r.code}" ${r.code === region ? 'selected' : ''}>${lang === 'en' ? r.en : r.zh}</option>`)}</select></label>
  <button type="submit">${t('查看', 'Show')}</button>
</form>
<p>${t(
      `研判准确率 =（确认违规 + 已整改）÷ 已研判；至少 ${minimum} 条已研判且低于 ${Math.round(floor * 100)}% 的标为“偏低”，市周报列出这些规则。`,
      `Judged precision = (confirmed + fixed) ÷ judged; with at least ${minimum} judged and under ${Math.round(floor * 100)}% it is marked “low”, and the city's weekly digest lists the rule.`,
    )}</p>
${
  rows.length
    ? html`<table>
<caption>${t(`${rows.length} 组（规则 × 区域）`, `${rows.length} rule × region rows`)}</caption>
<thead><tr>
<th scope="col">${t('规则', 'Rule')}</th><th scope="col">${t('区域', 'Region')}</th><th scope="col" class="num">${t('告警', 'Raised')}</th>
<th scope="col" class="num">${t('已确认占比', 'Acknowledged')}</th><th scope="col" class="num">${t('确认用时中位数（小时）', 'Median hours to ack')}</th>
<th scope="col" class="num">${t('确认违规', 'Confirmed')}</th><th scope="col" class="num">${t('已整改', 'Fixed')}</th><th scope="col" class="num">${t('数据有误', 'Data wrong')}</th><th scope="col" class="num">${t('误报', 'False alarm')}</th>
<th scope="col" class="num">${t('研判准确率', 'Judged precision')}</th>
</tr></thead>
<tbody>${rows.map(
        (r) => html`<tr>
<td>${r.title ? t(r.title.zh, r.title.en) : r.rule}<br><small>${r.rule}</small></td>
<td>${r.region ? regionName(r.region, lang) : t('数据质量', 'Data quality')}</td>
<td class="num">${r.raised}</td><td class="num">${pct(r.ackedShare)}</td>
<td class="num">${r.medianHoursToAck === null ? '—' : r.medianHoursToAck.toFixed(1)}</td>
<td class="num">${r.confirmed}</td><td class="num">${r.fixed}</td><td class="num">${r.dataWrong}</td><td class="num">${r.falseAlarm}</td>
<td class="num">${pct(r.precision)}${low(r) ? html` <strong class="low">${t('偏低', 'low')}</strong>` : ''}</td>
</tr>`,
      )}</tbody></table>`
    : html`<p class="empty">${t('此范围内没有告警。', 'No alert in this window.')}</p>`
}`;
    return c.html(page(c, { title: t('规则质量', 'Rule quality'), body, current: 'quality' }));
  });
};
