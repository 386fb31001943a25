/**
 * @duckdb/node-api, loaded with `require`. The package is CommonJS: imported as ESM, Node's loader
 * first pre-parses it and each of the 50 or so files it re-exports for their export names (about
 * 180 ms of every process that opens a warehouse, half of `edumon query` on a stopped one). Loaded
 * on first use, so commands that never open a warehouse never load the native module.
 */
import { createRequire } from 'node:module';

type DuckDB = typeof import('@duckdb/node-api');
let loaded: DuckDB | undefined;

/** The @duckdb/node-api module (its classes and enums: DuckDBInstance, StatementType, ...). */
export function duckdb(): DuckDB {
  loaded ??= createRequire(import.meta.url)('@duckdb/node-api') as DuckDB;
  return loaded;
}
