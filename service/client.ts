/**
 * How a CLI command finds the running service: `edumon run` writes <warehouse>.service.json
 * (port, token, pid; mode 0600) and removes it on exit. A stale file (process gone) is ignored.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { EdumonError, messageOf, UsageError } from '../core/errors.ts';

const serviceInfo = z.object({ pid: z.number().int().positive(), port: z.number().int().positive(), token: z.string().min(1) });

/** What the service file says: the service's process, its loopback port and its bearer token. */
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

/** POSTs a JSON body to the running service's API and returns its JSON answer. */
export async function callService<T>(info: ServiceInfo, path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${info.port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new EdumonError(`cannot reach the running service on port ${info.port}: ${messageOf(err)}`);
  }
  const answer = (await res.json()) as { error?: string; exitCode?: number } & T;
  if (!res.ok) {
    // The service says which exit status its error means: 2 is a usage error, as it would be here.
    const message = answer.error ?? `service answered ${res.status}`;
    throw answer.exitCode === 2 ? new UsageError(message) : new EdumonError(message);
  }
  return answer;
}
