/**
 * Data health (issue 23, part 8; the data team and admins): each feed's latest event, watermark,
 * catching-up partitions and whether it is stale, said in words (过期 / Stale) as well as shown;
 * the messages refused at ingestion by topic and reason (each also kept in the DLQ topic); the
 * outbox by state, and the emails that wait for a person. Every time in Asia/Shanghai.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { IngestState } from '../../../alerts/feedWatermarks.ts';
import { inTransaction } from '../../../core/db.ts';
import { feedLabels, topicsOf } from '../../../domain/topics.ts';
import { type DataHealth, dataHealth, type FeedHealth, type QuietLimit } from '../dataHealth.ts';
import type { T } from '../i18n.ts';
import { type ConsoleEnv, durationText, page, shanghaiText } from '../layout.ts';
import { type ConsoleDeps, type Register, requirePage } from '../server.ts';

/** How long the page waits for the broker to say what is left to read before showing it without. */
const INGEST_WAIT_MS = 3000;

const outboxStateWords: Record<string, { zh: string; en: string }> = {
  pending: { zh: '待发送', en: 'Pending' },
  unknown: { zh: '结果未知（将重试）', en: 'Outcome unknown (retried)' },
  held: { zh: '已暂停', en: 'Held' },
  failed: { zh: '发送失败', en: 'Failed' },
  sent: { zh: '已发送', en: 'Sent' },
};
const kindWords: Record<string, { zh: string; en: string }> = {
  alerts: { zh: '告警', en: 'Alerts' },
  digest: { zh: '周报', en: 'Digest' },
  test: { zh: '测试', en: 'Test' },
};
const say = (table: Record<string, { zh: string; en: string }>, key: string, t: T) => (table[key] ? t(table[key].zh, table[key].en) : key);

export const registerHealth: Register = (app, deps) => {
  app.get('/health', requirePage(deps, 'health'), async (c) => c.html(await healthPage(c, deps)));
};

/** What the service knows of ingestion now, or undefined (not known, or no answer within INGEST_WAIT_MS). */
async function ingestNow(deps: ConsoleDeps): Promise<{ state: IngestState | undefined; answered: boolean }> {
  if (!deps.ingestState) return { state: undefined, answered: false };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), INGEST_WAIT_MS);
  });
  try {
    const got = await Promise.race([deps.ingestState().catch(() => undefined), late]);
    return got === 'late' ? { state: undefined, answered: false } : { state: got, answered: got !== undefined };
  } finally {
    clearTimeout(timer);
  }
}

async function healthPage(c: Context<ConsoleEnv>, deps: ConsoleDeps) {
  const { t, lang } = c.var;
  const now = deps.clock().getTime();
  const ingest = await ingestNow(deps);
  const data = await deps.db.read((conn) => inTransaction(conn, () => dataHealth(conn, deps.config, ingest.state, now), { readOnly: true }));
  const behind = deps.ingestBehind?.();
  const staleFeeds = data.feeds.filter((f) => f.staleAlert || f.pastQuiet);
  const needPerson = data.outbox.filter((o) => o.state === 'failed' || o.state === 'held').reduce((n, o) => n + o.n, 0);
  const label = (f: FeedHealth) => (lang === 'en' ? feedLabels[f.feed].en : feedLabels[f.feed].zh);

  const summary = html`
<dl class="facts">
  <dt>${t('当前时间（北京时间）', 'Now (Beijing time)')}</dt><dd>${shanghaiText(new Date(now))}</dd>
  <dt>${t('数据源', 'Feeds')}</dt><dd>${
    staleFeeds.length
      ? html`<strong>${t(`${staleFeeds.length} 个数据源过期：`, `${staleFeeds.length} stale: `)}${staleFeeds.map(label).join(t('、', ', '))}</strong>`
      : t('均未过期', 'None is stale')
  }</dd>
  <dt>${t('待入库消息', 'Messages not yet stored')}</dt><dd>${
    behind === undefined
      ? t('未知（消费者未运行）', 'Unknown (the consumer is not running)')
      : t(`${behind} 条（约每秒更新）`, `${behind} (checked about every second)`)
  }${ingest.answered && ingest.state?.endsRead === false ? t('；Kafka 未应答，按上次已知的分区末端计算', '; Kafka did not answer: from the last known partition ends') : ''}${
    !ingest.answered ? t('；Kafka 未及时应答，各分区是否积压未知', '; Kafka did not answer in time: which partitions lag is unknown') : ''
  }</dd>
  <dt>${t('拒收消息', 'Rejected messages')}</dt><dd>${data.rejections.reduce((n, r) => n + r.n, 0)}</dd>
  <dt>${t('待处理邮件', 'Emails needing a person')}</dt><dd>${t(`${needPerson}（发送失败或已暂停）`, `${needPerson} (failed or held)`)}</dd>
</dl>`;

  const body = html`${summary}
<h2 id="feeds">${t('数据源', 'Feeds')}</h2>
${feedTable(data, now, t, label)}
<p><small>${t(
    '水位：规则判断所依据的时刻（数据已完整到此时）。过期：超过允许的静默时长没有新事件（DQ-STALE-FEED），读取它的规则暂停判断。',
    'Watermark: the moment the rules judge as of (the data is complete up to it). Stale: no new event for longer than the allowed quiet (DQ-STALE-FEED); the rules that read the feed wait.',
  )}</small></p>
<h2 id="rejections">${t('拒收消息与死信队列（DLQ）', 'Rejections and the DLQ')}</h2>
${rejectionTable(data, t, topicsOf(deps.config).dlq, deps.config.kafka.dlqRetentionDays)}
<h2 id="outbox">${t('发件箱', 'Outbox')}</h2>
${outboxTables(data, t)}`;
  return page(c, { title: t('数据健康', 'Data health'), body, current: 'health' });
}

function quietText(limit: QuietLimit, t: T): string {
  if (limit === null) return t('不设限（有变化时才有事件）', 'No limit (events come when something changes)');
  if ('days' in limit) return t(`${limit.days} 天`, `${limit.days} days`);
  return t(`招生季内 ${limit.minutes} 分钟`, `${limit.minutes} min, in the admission season`);
}

function feedTable(data: DataHealth, now: number, t: T, label: (f: FeedHealth) => string) {
  const row = (f: FeedHealth) => {
    const w = f.watermark;
    const state =
      f.lastEventMs === null
        ? html`<span class="state state-silenced">${t('无数据', 'No data')}</span>`
        : f.staleAlert || f.pastQuiet
          ? html`<span class="state state-open">${t('过期', 'Stale')}</span><br><small>${
              f.staleAlert
                ? html`<a href="/alerts/${encodeURIComponent(f.staleAlert.id)}">${t('DQ-STALE-FEED 告警', 'DQ-STALE-FEED alert')}</a>${t(
                    `，${shanghaiText(new Date(f.staleAlert.openedMs))} 起`,
                    `, open since ${shanghaiText(new Date(f.staleAlert.openedMs))}`,
                  )}`
                : t('超过允许的静默时长（尚待规则判断）', 'Quiet past its limit (not yet judged by the rule)')
            }</small>`
          : html`<span class="state state-resolved">${t('正常', 'OK')}</span>`;
    const lag =
      f.laggingPartitions === null
        ? t('未知', 'Unknown')
        : f.laggingPartitions > 0
          ? t(`正在追赶 ${f.laggingPartitions} 个分区`, `Catching up ${f.laggingPartitions} partition${f.laggingPartitions === 1 ? '' : 's'}`)
          : t('已追上', 'Caught up');
    const mark =
      w.at === null
        ? ''
        : html`${shanghaiText(new Date(w.at))}${
            w.at < now ? html`<br><small>${t(`落后 ${durationText(w.at, now, t)}`, `${durationText(w.at, now, t)} behind`)}</small>` : ''
          }${w.followsFrontier ? html`<br><small>${t('无新事件，随其他数据源推进', 'Idle: follows the other feeds')}</small>` : ''}${
            w.quiet ? html`<br><small>${t('已静默，完整至最新事件', 'Quiet: complete to its latest event')}</small>` : ''
          }`;
    return html`<tr>
  <th scope="row">${label(f)}<br><small>${f.feed} · ${f.topic}</small></th>
  <td data-label="${t('状态：', 'State: ')}">${state}</td>
  <td data-label="${t('最新事件：', 'Latest event: ')}">${f.lastEventMs === null ? t('无', 'None') : html`${shanghaiText(new Date(f.lastEventMs))}<br><small>${t(`${durationText(f.lastEventMs, now, t)}前`, `${durationText(f.lastEventMs, now, t)} ago`)}</small>`}</td>
  <td data-label="${t('最近到达：', 'Last arrived: ')}">${f.arrivedMs === null ? '' : shanghaiText(new Date(f.arrivedMs))}</td>
  <td data-label="${t('水位：', 'Watermark: ')}">${mark}</td>
  <td data-label="${t('积压：', 'Lag: ')}">${lag}</td>
  <td data-label="${t('允许静默：', 'Allowed quiet: ')}">${quietText(f.quietLimit, t)}</td>
</tr>`;
  };
  return html`<div class="scroll" role="region" aria-labelledby="feeds" tabindex="0">
<table class="stack">
<thead><tr>
  <th scope="col">${t('数据源', 'Feed')}</th><th scope="col">${t('状态', 'State')}</th><th scope="col">${t('最新事件（发生时间）', 'Latest event (occurred)')}</th>
  <th scope="col">${t('最近到达', 'Last arrived')}</th><th scope="col">${t('水位', 'Watermark')}</th><th scope="col">${t('积压', 'Lag')}</th>
  <th scope="col">${t('允许静默', 'Allowed quiet')}</th>
</tr></thead>
<tbody>${data.feeds.map(row)}</tbody>
</table></div>`;
}

function rejectionTable(data: DataHealth, t: T, dlqTopic: string, retentionDays: number) {
  const total = data.rejections.reduce((n, r) => n + r.n, 0);
  const note = html`<p>${t(
    `入库时拒收的消息原样转入死信队列 ${dlqTopic}，保留 ${retentionDays} 天。用 edumon dlq list 查看，数据方改正后用 edumon dlq replay 重放。`,
    `Each message refused at ingestion is kept as sent in the DLQ topic ${dlqTopic} for ${retentionDays} days. List them with edumon dlq list; replay them with edumon dlq replay once the sender has fixed them.`,
  )}</p>`;
  if (!total) return html`${note}<p class="empty">${t('没有拒收的消息。', 'No message was rejected.')}</p>`;
  return html`${note}
<div class="scroll" role="region" aria-labelledby="rejections" tabindex="0">
<table class="stack">
<caption>${t(`共 ${total} 条，按主题与原因`, `${total} in all, by topic and reason`)}</caption>
<thead><tr><th scope="col">${t('主题', 'Topic')}</th><th scope="col">${t('原因', 'Reason')}</th><th scope="col" class="num">${t('条数', 'Messages')}</th>
<th scope="col">${t('首次', 'First')}</th><th scope="col">${t('最近', 'Latest')}</th></tr></thead>
<tbody>${data.rejections.map(
    (r) =>
      html`<tr><td>${r.topic}</td><td>${r.reason}</td><td class="num">${r.n}</td><td>${shanghaiText(new Date(r.firstMs))}</td><td>${shanghaiText(new Date(r.lastMs))}</td></tr>`,
  )}</tbody>
</table></div>`;
}

function outboxTables(data: DataHealth, t: T) {
  const states = ['pending', 'unknown', 'held', 'failed', 'sent'];
  const byState = states.map((state) => {
    const mine = data.outbox.filter((o) => o.state === state);
    const next = mine.map((o) => o.nextAttemptMs).filter((n): n is number => n !== null);
    return {
      state,
      n: mine.reduce((n, o) => n + o.n, 0),
      kinds: mine.map((o) => `${say(kindWords, o.kind, t)} ${o.n}`).join(t('，', ', ')),
      oldest: mine.length ? Math.min(...mine.map((o) => o.oldestMs)) : null,
      newest: mine.length ? Math.max(...mine.map((o) => o.newestMs)) : null,
      next: next.length ? Math.min(...next) : null,
    };
  });
  const waiting = data.waiting.length
    ? html`
<div class="scroll" role="region" aria-labelledby="waiting" tabindex="0">
<table class="stack">
<caption id="waiting">${t('需要处理的邮件（最近 20 封；edumon notify retry 重发）', 'Emails needing a person (latest 20; edumon notify retry sends them again)')}</caption>
<thead><tr><th scope="col">${t('生成时间', 'Created')}</th><th scope="col">${t('状态', 'State')}</th><th scope="col">${t('收件人（联系人编号）', 'To (contact id)')}</th>
<th scope="col">${t('类别', 'Kind')}</th><th scope="col">${t('主题', 'Subject')}</th><th scope="col" class="num">${t('尝试次数', 'Attempts')}</th><th scope="col">${t('最近答复码', 'Last reply code')}</th></tr></thead>
<tbody>${data.waiting.map(
        (
          w,
        ) => html`<tr><td>${shanghaiText(new Date(w.createdMs))}</td><td>${say(outboxStateWords, w.state, t)}</td><td>${w.contactId}</td><td>${say(kindWords, w.kind, t)}</td>
<td>${w.subject}</td><td class="num">${w.attempts}</td><td>${w.lastCode ?? ''}</td></tr>`,
      )}</tbody>
</table></div>`
    : '';
  return html`
<div class="scroll" role="region" aria-labelledby="outbox" tabindex="0">
<table class="stack">
<caption>${t('按状态', 'By state')}</caption>
<thead><tr><th scope="col">${t('状态', 'State')}</th><th scope="col" class="num">${t('封数', 'Emails')}</th><th scope="col">${t('类别', 'Kinds')}</th>
<th scope="col">${t('最早生成', 'Oldest')}</th><th scope="col">${t('最近生成', 'Newest')}</th><th scope="col">${t('下次尝试', 'Next attempt')}</th></tr></thead>
<tbody>${byState.map(
    (
      s,
    ) => html`<tr><th scope="row">${say(outboxStateWords, s.state, t)} <small>${s.state}</small></th><td class="num" data-label="${t('封数：', 'Emails: ')}">${s.n}</td>
<td data-label="${t('类别：', 'Kinds: ')}">${s.kinds}</td><td data-label="${t('最早生成：', 'Oldest: ')}">${s.oldest === null ? '' : shanghaiText(new Date(s.oldest))}</td>
<td data-label="${t('最近生成：', 'Newest: ')}">${s.newest === null ? '' : shanghaiText(new Date(s.newest))}</td>
<td data-label="${t('下次尝试：', 'Next attempt: ')}">${s.next === null ? '' : shanghaiText(new Date(s.next))}</td></tr>`,
  )}</tbody>
</table></div>
${waiting}`;
}
