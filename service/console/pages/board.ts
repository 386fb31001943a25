/**
 * The alerts board (issue 23, part 2): the alerts of the reader's scope, filterable by region, rule,
 * severity, state, school and time, with counts by rule and region; unacknowledged first, most
 * severe and oldest first; 50 a page. Each open row can be acknowledged right there, with an outcome.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { loadSchoolNames } from '../../../alerts/notify/notifyStore.ts';
import { regions } from '../../../core/regions.ts';
import { parseShanghaiTime } from '../../../core/shanghai.ts';
import { alertWords, severityWords, stateWords, word } from '../alertWords.ts';
import { versionedCache } from '../boardCache.ts';
import { type BoardCount, type BoardFilter, type BoardRow, boardCounts, boardPage, boardStates, boardValidUntil } from '../boardQuery.ts';
import { type ConsoleEnv, durationText, homeOf, page, shanghaiText } from '../layout.ts';
import { alertScopeOf, type ConsoleUser, canReach } from '../roles.ts';
import { type ConsoleDeps, type Register, requirePage } from '../server.ts';
import { ackForm } from './ackForm.ts';

const PAGE_SIZE = 50;

export const registerBoard: Register = (app, deps) => {
  const cache = deps.alertsVersion ? versionedCache<BoardData>(deps.alertsVersion) : null;
  const data: DataOf = async (user, filter, pageNo, now) => {
    if (!cache) return boardData(deps, user, filter, pageNo, now);
    const key = JSON.stringify([alertScopeOf(user), filter, pageNo]);
    return cache.get(key, now.getTime(), async () => {
      const [value, until] = await Promise.all([boardData(deps, user, filter, pageNo, now), deps.db.read((conn) => boardValidUntil(conn, now))]);
      return { value, until };
    });
  };
  app.get(
    '/',
    // `/` is where sign-in and the brand link lead: a role without the board goes to its first page, not to a refusal.
    async (c, next) => {
      const user = c.var.session?.user;
      return user && !canReach(user, 'alerts') ? c.redirect(homeOf(user)) : next();
    },
    requirePage(deps, 'alerts'),
    async (c) => {
      const out = await board(c, deps, data);
      return out instanceof Response ? out : c.html(out);
    },
  );
};

/** The filter a board URL asks for; values outside the choices are ignored. */
export function filterOf(q: (name: string) => string | undefined): BoardFilter {
  const f: BoardFilter = {};
  const state = q('state');
  if (state && (boardStates as readonly string[]).includes(state)) f.state = state as BoardFilter['state'];
  const region = q('region');
  if (region && regions.some((r) => r.code === region)) f.region = region;
  const rule = q('rule');
  if (rule && /^[A-Z0-9-]{2,40}$/.test(rule)) f.rule = rule;
  const severity = q('severity');
  if (severity && severity in severityWords) f.severity = severity;
  const school = q('school')?.trim();
  if (school) f.school = school.slice(0, 100);
  const from = q('from') ? parseShanghaiTime(q('from')!) : undefined;
  if (from) f.from = from.toISOString();
  const to = q('to') ? parseShanghaiTime(`${q('to')}T23:59:59.999`) : undefined;
  if (to) f.to = to.toISOString();
  return f;
}

/** What one board page shows: its rows with their schools' names, how many in all, the counts. */
interface BoardData {
  rows: BoardRow[];
  total: number;
  counts: BoardCount[];
  names: Map<string, string>;
}

type DataOf = (user: ConsoleUser, filter: BoardFilter, pageNo: number, now: Date) => Promise<BoardData>;

async function boardData(deps: ConsoleDeps, user: ConsoleUser, filter: BoardFilter, pageNo: number, now: Date): Promise<BoardData> {
  const [{ rows, total }, counts] = await Promise.all([
    deps.db.read((conn) => boardPage(conn, user, filter, now, PAGE_SIZE, (pageNo - 1) * PAGE_SIZE)),
    deps.db.read((conn) => boardCounts(conn, user, { ...filter, state: undefined }, now)),
  ]);
  const names = await deps.db.read((conn) =>
    loadSchoolNames(
      conn,
      rows.map((r) => r.school_id),
    ),
  );
  return { rows, total, counts, names };
}

async function board(c: Context<ConsoleEnv>, deps: ConsoleDeps, data: DataOf) {
  const { t, lang } = c.var;
  const user = c.var.session!.user;
  const q = (name: string) => c.req.query(name);
  const filter = filterOf(q);
  const pageNo = Math.max(1, Math.min(10_000, Number.parseInt(q('page') ?? '1', 10) || 1));
  const now = deps.clock();
  const { rows, total, counts, names } = await data(user, filter, pageNo, now);
  // A page past the end (the last row of the last page acknowledged, a stale link): its first page.
  if (!rows.length && pageNo > 1) {
    const first = new URL(c.req.url);
    first.searchParams.delete('page');
    return c.redirect(`${first.pathname}${first.search}`);
  }
  const w = alertWords(deps.config, lang);

  const byState = new Map<string, number>();
  const byRule = new Map<string, number>();
  const byRegion = new Map<string, number>();
  for (const k of counts) {
    byState.set(k.state, (byState.get(k.state) ?? 0) + k.n);
    if (k.state === 'open' || k.state === 'silenced' || k.state === 'acked') {
      byRule.set(k.rule, (byRule.get(k.rule) ?? 0) + k.n);
      const region = k.region_code ?? '';
      byRegion.set(region, (byRegion.get(region) ?? 0) + k.n);
    }
  }
  const ruleIds = [...new Set(counts.map((k) => k.rule))].sort();
  const regionChoices = user.role === 'county' ? regions.filter((r) => user.regions.includes(r.code)) : regions;
  const selected = (v: string | undefined, x: string) => (v === x ? 'selected' : '');
  const keep = (over: Record<string, string>) => {
    const p = new URLSearchParams();
    for (const k of ['state', 'region', 'rule', 'severity', 'school', 'from', 'to']) if (q(k)) p.set(k, q(k)!);
    for (const [k, v] of Object.entries(over)) p.set(k, v);
    return `/?${p}`;
  };
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const boardHere = `${new URL(c.req.url).pathname}${new URL(c.req.url).search}`;

  const filters = html`
<form method="get" action="/" class="filters" aria-label="${t('筛选', 'Filter')}">
  <label>${t('状态', 'State')}<select name="state"><option value="">${t('全部', 'Any')}</option>
    ${boardStates.map((s) => html`<option value="${s}" ${selected(filter.state, s)}>${word(stateWords, s, t)}（${byState.get(s) ?? 0}）</option>`)}</select></label>
  <label>${t('区域', 'Region')}<select name="region"><option value="">${t('全部', 'Any')}</option>
    ${regionChoices.map((r) => html`<option value="${r.code}" ${selected(filter.region, r.code)}>${lang === 'en' ? r.en : r.zh}</option>`)}</select></label>
  <label>${t('规则', 'Rule')}<select name="rule"><option value="">${t('全部', 'Any')}</option>
    ${ruleIds.map((id) => html`<option value="${id}" ${selected(filter.rule, id)}>${w.title(id)}</option>`)}</select></label>
  <label>${t('级别', 'Severity')}<select name="severity"><option value="">${t('全部', 'Any')}</option>
    ${Object.keys(severityWords).map((s) => html`<option value="${s}" ${selected(filter.severity, s)}>${word(severityWords, s, t)}</option>`)}</select></label>
  <label>${t('学校', 'School')}<input name="school" value="${q('school') ?? ''}" placeholder="${t('代码或名称', 'Code or name')}"></label>
  <label>${t('首次发现自', 'Opened from')}<input type="date" name="from" value="${q('from') ?? ''}"></label>
  <label>${t('至', 'to')}<input type="date" name="to" value="${q('to') ?? ''}"></label>
  <button type="submit">${t('筛选', 'Filter')}</button> <a href="/">${t('清除', 'Clear')}</a>
</form>`;

  // Counts as one wrapping line of links each, not tables: twenty rules in a column pushed the
  // alerts below the first screen of a 1366x768 display.
  const countList = (id: string, title: string, entries: Array<[string, number]>, label: (k: string) => string, param: string) => html`
<section class="counts" aria-labelledby="${id}"><h2 id="${id}">${title}</h2>
<ul>${entries
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => html`<li>${k ? html`<a href="${keep({ [param]: k, page: '1' })}">${label(k)}</a>` : label(k)} <span class="n">${n}</span></li>`)}</ul>
</section>`;

  const list = rows.length
    ? html`
<table class="alerts">
<caption>${t(`共 ${total} 条，第 ${pageNo}/${pages} 页`, `${total} alerts, page ${pageNo} of ${pages}`)}</caption>
<thead><tr>
  <th scope="col">${t('级别', 'Severity')}</th><th scope="col">${t('状态', 'State')}</th><th scope="col">${t('规则', 'Rule')}</th>
  <th scope="col">${t('学校', 'School')}</th><th scope="col">${t('区域', 'Region')}</th><th scope="col">${t('结果', 'Result')}</th>
  <th scope="col">${t('首次发现', 'First seen')}</th><th scope="col">${t('未确认时长', 'Unacknowledged for')}</th><th scope="col">${t('处理', 'Act')}</th>
</tr></thead>
<tbody>
${rows.map((r) => {
  const school = r.school_id ? `${names.get(r.school_id) ?? t('（未登记）', '(unregistered)')} ${r.school_id}` : '';
  const waiting = r.state === 'open' || r.state === 'silenced';
  return html`<tr>
  <td><span class="sev sev-${r.severity}">${word(severityWords, r.severity, t)}</span></td>
  <td><span class="state state-${r.state}">${word(stateWords, r.state, t)}</span></td>
  <td><a href="/alerts/${encodeURIComponent(r.id)}">${w.title(r.rule)}</a><br><small>${r.rule} · ${r.period}</small></td>
  <td data-label="${t('学校', 'School')}">${school}</td>
  <td data-label="${t('区域', 'Region')}">${w.region(r.region_code)}</td>
  <td data-label="${t('结果', 'Result')}">${w.result(r) || w.subject(r) || ''}</td>
  <td data-label="${t('首次发现', 'First seen')}"><time datetime="${r.opened_at}">${shanghaiText(r.opened_at)}</time></td>
  <td data-label="${t('未确认时长', 'Unacknowledged for')}">${waiting ? durationText(Date.parse(r.opened_at), now.getTime(), t) : ''}</td>
  <td>${r.status === 'open' && r.state !== 'acked' ? ackForm(c, r.id, `/alerts/${encodeURIComponent(r.id)}/ack`, true, boardHere) : ''}</td>
</tr>`;
})}
</tbody></table>
<nav class="pager" aria-label="${t('分页', 'Pages')}">
  ${pageNo > 1 ? html`<a href="${keep({ page: String(pageNo - 1) })}" rel="prev">${t('上一页', 'Previous')}</a>` : ''}
  <span>${pageNo} / ${pages}</span>
  ${pageNo < pages ? html`<a href="${keep({ page: String(pageNo + 1) })}" rel="next">${t('下一页', 'Next')}</a>` : ''}
</nav>`
    : html`<p class="empty">${t('没有符合条件的告警。', 'No alert matches.')}</p>`;

  const body = html`${filters}
<div class="summary">
${countList('by-rule', t('未恢复的告警 · 按规则', 'Not resolved, by rule'), [...byRule], (k) => w.title(k), 'rule')}
${countList('by-region', t('未恢复的告警 · 按区域', 'Not resolved, by region'), [...byRegion], (k) => (k ? w.region(k) : t('数据质量', 'Data quality')), 'region')}
</div>
${list}`;
  return page(c, { title: t('告警', 'Alerts'), body, current: 'alerts' });
}
