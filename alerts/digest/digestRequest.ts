/**
 * `edumon digest` as one request, answered by the service on its digest connection or by the CLI
 * on the warehouse it opens: a preview of one scope's digest for a week, or writing the week's
 * digests to the outbox for every recipient (each once: alerts/digest/writeDueDigests.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../../core/config.ts';
import { UsageError } from '../../core/errors.ts';
import { CITY_CODE, regionOf } from '../../core/regions.ts';
import { buildDigests, digestRendering } from './digestEmails.ts';
import type { RenderedDigest } from './model.ts';
import { renderDigest } from './render.ts';
import { parseIsoWeek } from './week.ts';
import { writeDueDigests } from './writeDueDigests.ts';

/** A digest request: the ISO week (`2025-W27`), the scope (a region code, default the city) and whether to send. */
export interface DigestRequest {
  week: string;
  region?: string;
  language?: 'zh-CN' | 'en';
  send?: boolean;
}

/** A preview (the rendered email), or what sending wrote. */
export type DigestAnswer = ({ kind: 'preview' } & RenderedDigest) | { kind: 'sent'; week: string; written: number; alreadyThere: number };

/** Answers a digest request as of `now`; a bad week or region is a UsageError (exit 2). */
export async function digestRequest(conn: DuckDBConnection, config: Config, req: DigestRequest, now: Date): Promise<DigestAnswer> {
  const week = parseIsoWeek(req.week);
  if (req.send) {
    const r = await writeDueDigests(conn, config, now, week);
    return { kind: 'sent', week: r.week.label, written: r.written, alreadyThere: r.alreadyThere };
  }
  const scope = req.region ?? CITY_CODE;
  if (!regionOf(scope)) throw new UsageError(`digest: --region ${scope} is not a Jiaozuo region code (410800 for the city)`);
  const language = req.language ?? 'zh-CN';
  const reader = { contact: { id: 'preview', name: '预览', email: 'preview@localhost', minSeverity: 'info' as const, language }, scope };
  const [built] = await buildDigests(conn, config, week, [reader], now);
  return { kind: 'preview', ...(await renderDigest(built!.digest, digestRendering(config)(language, scope))) };
}
