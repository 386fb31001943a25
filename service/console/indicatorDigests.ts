/**
 * The weekly digests the indicators page shows (issue 23, part 7): the very model `edumon digest
 * --week W --region R` previews (alerts/digest/digestEmails.ts buildDigests, as
 * alerts/digest/digestRequest.ts calls it), so the page, its workbook and that week's email show
 * the same numbers, by one code path.
 *
 * Built read-only on a console reader: the week-ends' figures already kept in digest_figures are
 * used, those computed are not kept (`keep: false`), so a page view never writes the warehouse nor
 * races the digest job writing the same rows. Judging a week runs every rule twice (seconds on a
 * city's warehouse), so a week's digests are built for every region at once (the figures and the
 * rules' judgement shared, as a round of emails shares them), kept for `ttlMs`, and built once
 * however many officials ask at the same time. Each digest's composedAt says when it was built.
 */
import { buildDigests, type DigestRecipient } from '../../alerts/digest/digestEmails.ts';
import type { Digest, IsoWeek } from '../../alerts/digest/model.ts';
import type { Config } from '../../core/config.ts';
import { regions } from '../../core/regions.ts';
import type { ConsoleDb } from './consoleDb.ts';

/** How long a week's built digests are shown before they are built again: 10 minutes. */
export const INDICATOR_TTL_MS = 10 * 60_000;
/** The most weeks kept at once (the least recently built go first). */
const WEEKS_KEPT = 16;

/** The digest of a week for a region (410800: the city, every region), built or kept. */
export type IndicatorDigests = (week: IsoWeek, scope: string) => Promise<Digest>;

/**
 * The digests of a week by region, through `db`'s readers, composed at `clock()`; a week's are
 * built again once older than `ttlMs` (by the host's clock). A region outside core/regions.ts has
 * none (the caller checks it): a rejected promise. Throws what the warehouse throws, and a failed
 * build is not kept.
 */
export function indicatorDigests(deps: { db: ConsoleDb; config: Config; clock: () => Date }, ttlMs = INDICATOR_TTL_MS): IndicatorDigests {
  const weeks = new Map<string, { builtAt: number; digests: Promise<Map<string, Digest>> }>();
  const readers: DigestRecipient[] = regions.map(({ code }) => ({
    contact: { id: `console-${code}`, name: 'console', email: 'console@localhost', minSeverity: 'info', language: 'zh-CN' },
    scope: code,
  }));
  const build = (week: IsoWeek) =>
    deps.db.read(async (conn) => {
      const built = await buildDigests(conn, deps.config, week, readers, deps.clock(), { keep: false });
      return new Map(built.map((b) => [b.recipient.scope, b.digest]));
    });
  return async (week, scope) => {
    const now = Date.now();
    let entry = weeks.get(week.label);
    if (!entry || now - entry.builtAt > ttlMs) {
      const fresh = { builtAt: now, digests: build(week) };
      entry = fresh;
      weeks.delete(week.label);
      weeks.set(week.label, fresh);
      fresh.digests.catch(() => {
        if (weeks.get(week.label) === fresh) weeks.delete(week.label);
      });
      while (weeks.size > WEEKS_KEPT) weeks.delete(weeks.keys().next().value!);
    }
    const digest = (await entry.digests).get(scope);
    if (!digest) throw new Error(`indicatorDigests: no region ${scope}`);
    return digest;
  };
}
