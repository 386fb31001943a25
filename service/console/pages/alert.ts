/**
 * An alert's page (issue 23, parts 3 to 5): the rule's clause, the evidence, the lifecycle, every
 * email about it and its notes; the forms to acknowledge it with an outcome, to silence its rule for
 * its school or region, and (the data team, a storm's alert) to release what the valve held. The
 * acknowledge link of an email (/l/<token>) shows this page: opening it acts on nothing, so a mail
 * scanner that fetches every link acknowledges nothing. Every route checks the reader's scope
 * (roles.ts canSeeAlert): an alert outside it is refused, by page or by form, and the attempt audited.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { ackOutcomes } from '../../../alerts/alertStore.ts';
import { ALERT_STORM } from '../../../alerts/alertStorm.ts';
import { verifyAckLink } from '../../../alerts/notify/alertLinks.ts';
import { loadSchoolNames } from '../../../alerts/notify/notifyStore.ts';
import { policyWords } from '../../../alerts/resultWords.ts';
import { formatShanghai, parseShanghaiTime } from '../../../core/shanghai.ts';
import { type AlertRecord, alertEmails, alertHistory, alertRecord, heldCount, silenceOf } from '../alertRecord.ts';
import { alertWords, outcomeWords, severityWords, stateWords, word } from '../alertWords.ts';
import { type ConsoleEnv, csrfField, page, refusal, shanghaiText } from '../layout.ts';
import { canReach, canSeeAlert } from '../roles.ts';
import { type ConsoleDeps, type Register, requirePage, safeNext } from '../server.ts';
import { ackForm } from './ackForm.ts';

const NOTE_MAX = 2000;

export const registerAlert: Register = (app, deps) => {
  const gate = requirePage(deps, 'alerts');

  /** The alert if the reader may see it; else a refusal (audited), as `refused`. */
  const scoped = async (c: Context<ConsoleEnv>, id: string, action: string) => {
    const alert = await deps.db.read((conn) => alertRecord(conn, id));
    const user = c.var.session!.user;
    if (alert && canSeeAlert(user, alert)) return { alert };
    await deps.auth.audit({
      user: user.id,
      action,
      target: id,
      outcome: 'refused',
      address: c.var.address,
      detail: alert ? `outside scope (${alert.region_code ?? 'data health'})` : 'no such alert',
    });
    // The same answer whether it exists or not: a county official learns nothing of another's alerts.
    return {
      refused: refusal(
        c,
        403,
        c.var.t('无权查看此告警', 'Not your alert'),
        c.var.t('此告警不存在，或不在您负责的区域内。', 'This alert does not exist or is outside the regions you cover.'),
      ),
    };
  };

  app.get('/alerts/:id', gate, async (c) => {
    const r = await scoped(c, c.req.param('id') ?? '', 'view alert');
    if (r.refused) return r.refused;
    return c.html(await alertPage(c, deps, r.alert!, null));
  });

  app.get('/l/:token', async (c) => {
    const { t } = c.var;
    // Against the service's clock, as the email's composing dated the link's expiry (a test's controlled clock included).
    const link = verifyAckLink(c.req.param('token') ?? '', deps.linkKey, deps.clock());
    if (!link.ok) {
      await deps.auth.audit({
        user: c.var.session?.user.id ?? null,
        action: 'open link',
        target: null,
        outcome: 'refused',
        address: c.var.address,
        detail: `link ${link.reason}`,
      });
      const why =
        link.reason === 'expired'
          ? t(
              `此确认链接已过期（链接有效期 ${deps.config.console.linkTtlDays} 天），请登录控制台在告警列表中确认。`,
              'This acknowledge link has expired: sign in and acknowledge from the alerts board.',
            )
          : t('此确认链接无效（可能被改动或不完整）。', 'This acknowledge link is not valid (altered or cut short).');
      return refusal(c, 400, t('链接无效', 'Link not valid'), why);
    }
    if (!c.var.session) return c.redirect(`/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`);
    if (!canReach(c.var.session.user, 'alerts'))
      return refusal(c, 403, t('无权访问', 'Not allowed'), t('您的角色不能处理告警。', 'Your role cannot act on alerts.'));
    const r = await scoped(c, link.alertId, 'open link');
    if (r.refused) return r.refused;
    return c.html(await alertPage(c, deps, r.alert!, link.contactId));
  });

  app.post('/alerts/:id/ack', gate, async (c) => {
    const { t } = c.var;
    const id = c.req.param('id') ?? '';
    const r = await scoped(c, id, 'ack');
    if (r.refused) return r.refused;
    const form = await c.req.parseBody();
    const outcome = String(form.outcome ?? '');
    const note = String(form.note ?? '').trim();
    if (!(ackOutcomes as readonly string[]).includes(outcome)) {
      return refusal(
        c,
        400,
        t('请选择核实结论', 'Choose an outcome'),
        t('确认告警须选择核实结论：确认违规、已整改、数据有误或误报。', 'An acknowledgement needs an outcome: confirmed, fixed, data wrong or false alarm.'),
      );
    }
    if (note.length > NOTE_MAX)
      return refusal(c, 400, t('说明过长', 'Note too long'), t(`说明不超过 ${NOTE_MAX} 字。`, `A note is at most ${NOTE_MAX} characters.`));
    const user = c.var.session!.user;
    await deps.alerts({
      action: 'ack',
      id,
      outcome: outcome as (typeof ackOutcomes)[number],
      by: user.id,
      at: deps.clock().toISOString(),
      ...(note ? { note } : {}),
    });
    const via = typeof form.via === 'string' && form.via ? `via email link to ${form.via.slice(0, 64)}` : null;
    await deps.auth.audit({
      user: user.id,
      action: 'ack',
      target: id,
      outcome: 'ok',
      address: c.var.address,
      detail: [outcome, via].filter(Boolean).join('; '),
    });
    return c.redirect(safeNext(typeof form.next === 'string' ? form.next : `/alerts/${encodeURIComponent(id)}`), 303);
  });

  app.post('/alerts/:id/silence', gate, async (c) => {
    const { t } = c.var;
    const id = c.req.param('id') ?? '';
    const r = await scoped(c, id, 'silence');
    if (r.refused) return r.refused;
    const alert = r.alert!;
    const form = await c.req.parseBody();
    const over = String(form.over ?? '');
    const reason = String(form.reason ?? '').trim();
    const until = typeof form.until === 'string' ? parseShanghaiTime(`${form.until}T23:59:59`) : undefined;
    const bad = (why: string) => refusal(c, 400, t('无法静默', 'Cannot silence'), why);
    if (!reason) return bad(t('静默须说明原因。', 'A silence needs a reason.'));
    if (!until || until.getTime() <= deps.clock().getTime()) return bad(t('请给出今天之后的截止日期。', 'Give an end date after today.'));
    if (over === 'school' && !alert.school_id) return bad(t('此告警没有学校。', 'This alert names no school.'));
    if (over === 'region' && !alert.region_code) return bad(t('此告警没有区域。', 'This alert names no region.'));
    if (over !== 'school' && over !== 'region') return bad(t('请选择静默范围：本校或本区域。', 'Choose what to silence: this school or this region.'));
    const user = c.var.session!.user;
    const answer = await deps.alerts({
      action: 'silence',
      rule: alert.rule,
      until: until.toISOString(),
      reason: `${reason}（${user.id}）`,
      at: deps.clock().toISOString(),
      ...(over === 'school' ? { school: alert.school_id! } : { region: alert.region_code! }),
    });
    await deps.auth.audit({
      user: user.id,
      action: 'silence',
      target: `${alert.rule} ${over === 'school' ? alert.school_id : alert.region_code}`,
      outcome: 'ok',
      address: c.var.address,
      detail: `until ${formatShanghai(until)}; silence ${String(answer.rows[0]?.[0])}`,
    });
    return c.redirect(`/alerts/${encodeURIComponent(id)}`, 303);
  });

  app.post('/alerts/:id/release', requirePage(deps, 'release'), async (c) => {
    const id = c.req.param('id') ?? '';
    const r = await scoped(c, id, 'release');
    if (r.refused) return r.refused;
    const alert = r.alert!;
    const user = c.var.session!.user;
    if (alert.rule !== ALERT_STORM || !alert.subject)
      return refusal(
        c,
        400,
        c.var.t('无法放行', 'Cannot release'),
        c.var.t('只有告警风暴（DQ-ALERT-STORM）可以放行。', 'Only an alert storm (DQ-ALERT-STORM) can be released.'),
      );
    const answer = await deps.alerts({ action: 'release', rule: alert.subject, at: deps.clock().toISOString() });
    await deps.auth.audit({
      user: user.id,
      action: 'release',
      target: alert.subject,
      outcome: 'ok',
      address: c.var.address,
      detail: `${answer.rows.length} transitions`,
    });
    return c.redirect(`/alerts/${encodeURIComponent(id)}`, 303);
  });
};

async function alertPage(c: Context<ConsoleEnv>, deps: ConsoleDeps, alert: AlertRecord, viaContact: string | null) {
  const { t, lang } = c.var;
  const session = c.var.session!;
  const w = alertWords(deps.config, lang);
  const [history, emails, names, held, silence] = await Promise.all([
    deps.db.read((conn) => alertHistory(conn, alert.id)),
    deps.db.read((conn) => alertEmails(conn, alert.id)),
    deps.db.read((conn) => loadSchoolNames(conn, [alert.school_id])),
    alert.rule === ALERT_STORM && alert.subject ? deps.db.read((conn) => heldCount(conn, alert.subject!)) : Promise.resolve(0),
    deps.db.read((conn) => silenceOf(conn, alert, deps.clock())),
  ]);
  // As the board says it: resolved, then acknowledged, then silenced, else open.
  const state = alert.status === 'resolved' ? 'resolved' : alert.acked_at ? 'acked' : silence ? 'silenced' : 'open';
  const school = alert.school_id ? `${names.get(alert.school_id) ?? t('（未登记）', '(unregistered)')} ${alert.school_id}` : null;
  const evidence = Object.entries(alert.details).filter(([, v]) => v !== null && v !== undefined);
  const subject = w.subject(alert);
  const facts: Array<[string, unknown]> = [
    [t('级别', 'Severity'), word(severityWords, alert.severity, t)],
    [
      t('状态', 'State'),
      silence && state === 'silenced'
        ? t(
            `${word(stateWords, state, t)}（至 ${shanghaiText(silence.until)}：${silence.reason}）`,
            `${word(stateWords, state, t)} (until ${shanghaiText(silence.until)}: ${silence.reason})`,
          )
        : word(stateWords, state, t),
    ],
    [t('规则', 'Rule'), `${w.title(alert.rule)}（${alert.rule}）`],
    [t('政策依据', 'Policy clause'), policyWords(w.policy(alert.rule), lang)],
    ...(school ? [[t('学校', 'School'), school] as [string, unknown]] : []),
    ...(alert.region_code ? [[t('区域', 'Region'), w.region(alert.region_code)] as [string, unknown]] : []),
    [t('期间', 'Period'), alert.period],
    ...(subject ? [[t('对象', 'Subject'), subject] as [string, unknown]] : []),
    [t('结果', 'Result'), w.result(alert)],
    [t('首次发现', 'First seen'), shanghaiText(alert.opened_at)],
    [t('最近发现', 'Last seen'), shanghaiText(alert.last_seen_at)],
    ...(alert.resolved_at ? [[t('恢复时间', 'Resolved'), shanghaiText(alert.resolved_at)] as [string, unknown]] : []),
    [t('第几次出现', 'Occurrence'), String(alert.occurrence)],
    ...(alert.acked_at
      ? [
          [t('确认', 'Acknowledged'), `${shanghaiText(alert.acked_at)} · ${alert.acked_by ?? ''} · ${word(outcomeWords, alert.ack_outcome, t)}`] as [
            string,
            unknown,
          ],
        ]
      : []),
    [t('告警编号', 'Alert id'), alert.id],
  ];
  const here = new URL(c.req.url).pathname;
  const canRelease = alert.rule === ALERT_STORM && held > 0 && canReach(session.user, 'release');
  const body = html`
${viaContact ? html`<p class="notice">${t('您通过告警邮件中的确认链接打开此页。请核实后选择结论并确认。', 'You opened this page from an alert email. Check, then choose an outcome and acknowledge.')}</p>` : ''}
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>

${
  alert.status === 'open'
    ? html`<section aria-labelledby="act"><h2 id="act">${t('确认告警', 'Acknowledge')}</h2>
  ${alert.acked_at ? html`<p>${t('已确认；可再次确认以更正结论。', 'Acknowledged; acknowledge again to correct the outcome.')}</p>` : ''}
  ${ackFormWith(c, alert.id, here, viaContact)}</section>`
    : ''
}

<section aria-labelledby="silence"><h2 id="silence">${t('静默', 'Silence')}</h2>
<form method="post" action="/alerts/${encodeURIComponent(alert.id)}/silence" class="silence">
  ${csrfField(session)}
  <fieldset><legend>${t(`静默规则「${w.title(alert.rule)}」`, `Silence the rule “${w.title(alert.rule)}”`)}</legend>
  ${alert.school_id ? html`<label><input type="radio" name="over" value="school" required> ${t('仅本校', 'For this school only')}</label>` : ''}
  ${alert.region_code ? html`<label><input type="radio" name="over" value="region" required> ${t(`整个${w.region(alert.region_code)}`, `All of ${w.region(alert.region_code)}`)}</label>` : ''}
  </fieldset>
  <label for="until">${t('截止日期（含当天）', 'Until (inclusive)')}</label><input id="until" name="until" type="date" required>
  <label for="reason">${t('原因', 'Reason')}</label><input id="reason" name="reason" required maxlength="500">
  <button type="submit">${t('静默', 'Silence')}</button>
</form></section>

${
  canRelease
    ? html`<section aria-labelledby="release"><h2 id="release">${t('放行', 'Release')}</h2>
<form method="post" action="/alerts/${encodeURIComponent(alert.id)}/release">${csrfField(session)}
<p>${t(`告警阀门为规则 ${alert.subject} 暂扣了 ${held} 条告警。`, `The storm valve holds ${held} alerts of rule ${alert.subject}.`)}</p>
<button type="submit">${t('放行暂扣的告警', 'Release the held alerts')}</button></form></section>`
    : ''
}

<section aria-labelledby="evidence"><h2 id="evidence">${t('证据', 'Evidence')}</h2>
${evidence.length ? html`<dl class="facts">${evidence.map(([k, v]) => html`<dt>${k}</dt><dd><code>${typeof v === 'string' ? v : JSON.stringify(v)}</code></dd>`)}</dl>` : html`<p>${t('规则未给出来源事件。', 'The rule names no source event.')}</p>`}
</section>

<section aria-labelledby="history"><h2 id="history">${t('处理经过', 'Lifecycle')}</h2>
<table><thead><tr><th scope="col">${t('时间', 'When')}</th><th scope="col">${t('事项', 'What')}</th><th scope="col">${t('第几次', 'Occurrence')}</th><th scope="col">${t('人员', 'Who')}</th><th scope="col">${t('结论与说明', 'Outcome and note')}</th></tr></thead>
<tbody>${history.map((h) => html`<tr><td>${shanghaiText(h.at)}</td><td>${historyWord(h.kind, t)}</td><td class="num">${h.occurrence}</td><td>${h.who ?? ''}</td><td>${[word(outcomeWords, h.outcome, t), h.note ?? ''].filter(Boolean).join('：')}</td></tr>`)}</tbody></table>
</section>

<section aria-labelledby="emails"><h2 id="emails">${t('通知邮件', 'Emails')}</h2>
${
  emails.length
    ? html`<table><thead><tr><th scope="col">${t('收件人', 'To')}</th><th scope="col">${t('生成时间', 'Composed')}</th><th scope="col">${t('类别', 'Why')}</th><th scope="col">${t('状态', 'State')}</th><th scope="col">${t('发送时间', 'Sent')}</th><th scope="col">${t('服务器答复', 'Server reply')}</th></tr></thead>
<tbody>${emails.map((e) => html`<tr><td>${e.contact_id} &lt;${e.address}&gt;</td><td>${shanghaiText(e.created_at)}</td><td>${e.notice}</td><td>${e.state}</td><td>${shanghaiText(e.sent_at)}</td><td>${e.last_code ?? ''} ${e.last_reply ?? ''}</td></tr>`)}</tbody></table>`
    : html`<p>${t('尚未发送邮件。', 'No email yet.')}</p>`
}
</section>`;
  return page(c, { title: `${w.title(alert.rule)}${school ? ` · ${school}` : ''}`, body, current: 'alerts' });
}

function ackFormWith(c: Context<ConsoleEnv>, id: string, next: string, via: string | null) {
  return html`${ackForm(c, id, `/alerts/${encodeURIComponent(id)}/ack`, false, next, via)}`;
}

function historyWord(kind: string, t: (zh: string, en: string) => string): string {
  const words: Record<string, [string, string]> = {
    open: ['出现', 'Opened'],
    reopen: ['再次出现', 'Reopened'],
    resolve: ['恢复', 'Resolved'],
    ack: ['确认', 'Acknowledged'],
  };
  const w = words[kind];
  return w ? t(w[0], w[1]) : kind;
}
