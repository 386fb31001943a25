/**
 * How a CLI command reaches the warehouse: through the running service while `edumon run` holds
 * the file (DuckDB lets only one process open it read-write), else by opening the file itself.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RequestBodies } from './api.ts';
import { callService, readServiceFile } from './client.ts';
import { withWarehouse } from './withWarehouse.ts';

/**
 * Sends `body` to the service's `path` if a live service holds `warehouse`; otherwise runs `local`
 * on the file, opened as `open` says (read-only unless `write`; `sandbox` for analyst SQL).
 * Both answer in the same shape, so the command prints either the same way.
 */
export async function serviceOrWarehouse<T, P extends keyof RequestBodies>(
  warehouse: string,
  route: { path: P; body: RequestBodies[P] },
  open: { write: boolean; sandbox?: { memoryLimit: string } },
  local: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const service = readServiceFile(warehouse);
  if (service) return callService<T>(service, route.path, route.body);
  return withWarehouse(warehouse, open, local);
}
