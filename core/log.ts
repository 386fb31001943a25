/**
 * Structured logging to stderr. Callers pass ids and counts, never payloads: no raw event
 * content (and so no personal identifier) is ever handed to the logger.
 */
import { formatShanghai } from './shanghai.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogFormat = 'text' | 'json';

/** A logger writing one line per record: `text` for people, `json` for collectors. */
export function createLogger(opts: { level?: Level; format?: LogFormat; write?: (line: string) => void; base?: Record<string, unknown> } = {}): Logger {
  const min = order[opts.level ?? 'info'];
  const format = opts.format ?? 'text';
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = opts.base ?? {};
  const emit = (level: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (order[level] < min) return;
    const all = { ...base, ...fields };
    if (format === 'json') {
      write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...all }, jsonSafe));
    } else {
      const extra = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, jsonSafe)}`)
        .join(' ');
      // People read this format: the time in Asia/Shanghai, as every time edumon shows them.
      write(`${formatShanghai(Date.now())} ${level.padEnd(5)} ${msg}${extra ? ` ${extra}` : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...opts, base: { ...base, ...fields } }),
  };
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
