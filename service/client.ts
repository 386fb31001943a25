/**
 * How a CLI command finds the running service: `edumon run` writes <warehouse>.service.json
 * (port, token, pid; mode 0600) and removes it on exit. A stale file (process gone) is ignored.
 */
import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { EdumonError, messageOf, UsageError } from '../core/errors.ts';

const serviceInfo = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().positive(),
  token: z.string().min(1),
  /** The address the service listens on (service.host); absent in files of an older edumon: loopback. */
  host: z.string().min(1).optional(),
  /** The console's address as this host reaches it (http://127.0.0.1:8780); absent when the console is off. */
  console: z.string().min(1).optional(),
});

/** What the service file says: the service's process, its address and port, and its bearer token. */
export type ServiceInfo = z.infer<typeof serviceInfo>;

export const serviceFileOf = (warehouse: string) => `${warehouse}.service.json`;

export function writeServiceFile(warehouse: string, info: ServiceInfo): void {
  writeFileSync(serviceFileOf(warehouse), JSON.stringify(info), { mode: 0o600 });
}

export function removeServiceFile(warehouse: string, pid = process.pid): void {
  const info = readServiceFile(warehouse);
  if (info && info.pid === pid) rmSync(serviceFileOf(warehouse), { force: true });
}

/** The live service for this warehouse, or null. */
export function readServiceFile(warehouse: string): ServiceInfo | null {
  const file = serviceFileOf(warehouse);
  if (!existsSync(file)) return null;
  try {
    const info = serviceInfo.parse(JSON.parse(readFileSync(file, 'utf8')));
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}

/**
 * POSTs a JSON body to the running service's API and returns its JSON answer. Through node:http,
 * not fetch: fetch loads undici, which costs a CLI command tens of milliseconds and megabytes.
 */
export async function callService<T>(info: ServiceInfo, path: string, body: unknown): Promise<T> {
  const res = await post(info, path, body);
  const text = await textOf(res);
  // The service says which exit status its error means: 2 is a usage error, as it would be here.
  if (res.statusCode !== 200) throw serviceError(text, res.statusCode);
  return JSON.parse(text) as T;
}

/** Sends a JSON body to the service's `path` with its token; resolves to the answer once its headers arrive. */
function post(info: ServiceInfo, path: string, body: unknown): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(serviceUrl(info, path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
    });
    req.on('error', (err) => reject(new EdumonError(`cannot reach the running service on port ${info.port}: ${messageOf(err)}`)));
    req.on('response', resolve);
    req.end(JSON.stringify(body));
  });
}

/** The whole answer as text. */
function textOf(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    res.on('end', () => resolve(text));
    res.on('error', (err) => reject(new EdumonError(`the running service's answer broke off: ${messageOf(err)}`)));
  });
}

/**
 * The URL of `path` on the service: on its own address, or on 127.0.0.1 when it listens on every
 * address (0.0.0.0, ::) or on a loopback name.
 */
export function serviceUrl(info: ServiceInfo, path: string): string {
  const host = info.host ?? '127.0.0.1';
  const local = host === '0.0.0.0' || host === '::' || host === '[::]' || host === 'localhost';
  const name = local ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${name}:${info.port}${path}`;
}

/**
 * POSTs a JSON body to the service and writes its streamed answer to `file` (created with mode
 * 0600, never held whole in memory). Complete only when the transfer ends with the X-Edumon-Rows
 * trailer (service/api.ts sendStreamed); a transfer cut short rejects, with the reason from the
 * answer's last line (edumon_error) when it arrived. Resolves to the trailer's row count.
 */
export async function downloadFromService(info: ServiceInfo, path: string, body: unknown, file: string): Promise<{ rows: number }> {
  const res = await post(info, path, body);
  if (res.statusCode !== 200) throw serviceError(await textOf(res), res.statusCode);
  // The last bytes received, read off the socket: where the reason of an answer cut short is. Not
  // off `res`: a transfer cut short destroys it with the rows it still buffers (the file being
  // slower to write than the network), and the reason, the last of them, would be lost.
  let tail = Buffer.alloc(0);
  const keepTail = (d: Buffer) => {
    tail = Buffer.concat([tail, d]);
    if (tail.length > 8192) tail = tail.subarray(-8192);
  };
  const socket = res.socket;
  socket.on('data', keepTail);
  try {
    await pipeline(res, createWriteStream(file, { mode: 0o600 }));
  } catch {
    throw cutShort(tail.toString('utf8'));
  } finally {
    socket.off('data', keepTail);
  }
  const rows = res.trailers['x-edumon-rows'];
  if (rows === undefined) throw cutShort(tail.toString('utf8'));
  return { rows: Number(rows) };
}

/** The error a non-200 JSON answer stands for: exit status 2 when the service says it is a usage error. */
function serviceError(text: string, status: number | undefined): EdumonError {
  let answer: { error?: string; exitCode?: number } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    // Not JSON: the status says enough.
  }
  const message = answer.error ?? `service answered ${status}`;
  return answer.exitCode === 2 ? new UsageError(message) : new EdumonError(message);
}

/** The error of a streamed answer cut short, with its reason when its error line (queryAnswer.ts errorLine) arrived. */
function cutShort(tail: string): EdumonError {
  const last = tail.trimEnd().split(/\r?\n/).pop() ?? '';
  let reason: string | undefined;
  try {
    reason = last.startsWith('{') ? (JSON.parse(last) as { edumon_error?: string }).edumon_error : undefined;
  } catch {
    // Not the NDJSON error line.
  }
  // CSV's is one field, quoted (quotes doubled) when the message holds a comma or quote.
  reason ??= /^"?edumon_error: (.*?)"?$/.exec(last)?.[1]?.replace(/""/g, '"');
  return new UsageError(`${reason ?? 'query: the answer was cut short'} (答案不完整，文件未写 / the answer is incomplete; no file written)`);
}
