/**
 * npm packages loaded with `require` on first use. Each of these is needed by some commands only,
 * and costs when loaded: as an ESM import, Node's loader first pre-parses a CommonJS package's
 * files for their export names (DuckDB: 50 files, 180 ms), and ECharts' ESM build is 600 modules
 * (`require` gets its one-file build); `edumon run` loaded ECharts, exceljs and resvg at start for
 * a digest it may not compose for a week. Nothing is loaded until a function here is called.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A function returning the package `name`, required the first time it is called (errors: require's, e.g. MODULE_NOT_FOUND). */
function lazily<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(name) as T;
    return loaded;
  };
}

/** @duckdb/node-api: its classes and enums (DuckDBInstance, StatementType, DuckDBTypeId...). */
export const duckdb = lazily<typeof import('@duckdb/node-api')>('@duckdb/node-api');
/** ECharts (its one-file CommonJS build), for the digest's trend pictures. */
export const echarts = lazily<typeof import('echarts')>('echarts');
/** resvg, rasterising those pictures. */
export const resvg = lazily<typeof import('@resvg/resvg-js')>('@resvg/resvg-js');
/** exceljs, for the digest's workbook. */
export const exceljs = lazily<typeof import('exceljs')>('exceljs');
