/** The acknowledge form: an outcome (required), a note, the session's CSRF token. Posts to `action`. */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { ackOutcomes } from '../../../alerts/alertStore.ts';
import { outcomeWords } from '../alertWords.ts';
import { type ConsoleEnv, csrfField } from '../layout.ts';

/** `compact`: folded behind a 确认 button (the board's rows); otherwise open (an alert's page). */
export function ackForm(c: Context<ConsoleEnv>, alertId: string, action: string, compact = false, next?: string, via?: string | null) {
  const { t } = c.var;
  const id = `ack-${alertId.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const form = html`<form method="post" action="${action}" class="ack">
  ${csrfField(c.var.session!)}
  ${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
  ${via ? html`<input type="hidden" name="via" value="${via}">` : ''}
  <fieldset><legend>${t('核实结论', 'Outcome')}</legend>
  ${ackOutcomes.map((o) => html`<label><input type="radio" name="outcome" value="${o}" required> ${t(outcomeWords[o]!.zh, outcomeWords[o]!.en)}</label>`)}
  </fieldset>
  <label for="${id}-note">${t('说明', 'Note')}</label>
  <textarea id="${id}-note" name="note" rows="2" maxlength="2000"></textarea>
  <button type="submit">${t('确认告警', 'Acknowledge')}</button>
</form>`;
  return compact ? html`<details><summary>${t('确认…', 'Acknowledge…')}</summary>${form}</details>` : form;
}
