/**
 * The analysts' worked examples, sql/examples/NN_<name>.sql, found on disk (so a new file is
 * tested without being listed anywhere), and the header each must open with: the question in
 * Chinese, then in English, the tables and views it reads, what one row means, and a caveat.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQL_DIR } from '../../core/db.ts';

/** sql/examples/, where the examples live. */
export const EXAMPLES_DIR = join(SQL_DIR, 'examples');

export interface Example {
  /** The file name, e.g. `01_township_central_kindergartens.sql`. */
  file: string;
  sql: string;
}

/** Every .sql file of sql/examples/, in name order. */
export function examples(): Example[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => ({ file, sql: readFileSync(join(EXAMPLES_DIR, file), 'utf8') }));
}

/** The header's lines, in the order they must come; each opens a `--` line of the leading comment block. */
const HEADER = ['-- 问题：', '-- Question:', '-- 读取 / Reads:', '-- 每行 / One row:', '-- 注意 / Caveat:'] as const;

/**
 * What is wrong with an example's name and header (empty: nothing): a name other than
 * `NN_<name>.sql`; a missing, empty or misplaced header line; a Chinese question without Chinese;
 * a table or view named under Reads that the statement never uses.
 */
export function headerProblems(ex: Example): string[] {
  const problems: string[] = [];
  if (!/^\d\d_[a-z0-9_]+\.sql$/.test(ex.file)) problems.push(`the name is not NN_<name>.sql (lower case, digits, underscores)`);
  const lines = ex.sql.split('\n');
  const block = lines.slice(
    0,
    lines.findIndex((l) => !l.startsWith('--')),
  );
  if (block.length === 0) return [...problems, 'it does not open with a comment block (-- lines)'];
  let last = -1;
  for (const label of HEADER) {
    const at = block.findIndex((l) => l.startsWith(label));
    if (at < 0) problems.push(`the header has no line opening with '${label}'`);
    else if (at < last) problems.push(`'${label}' comes before the line it should follow (Chinese first, then English, Reads, One row, Caveat)`);
    else if (!block[at]!.slice(label.length).trim()) problems.push(`'${label}' is empty`);
    last = Math.max(last, at);
  }
  const zh = block.find((l) => l.startsWith(HEADER[0]));
  if (zh && !/[\u4e00-\u9fff]/.test(zh.slice(HEADER[0].length))) problems.push('the question in Chinese has no Chinese');
  const reads = block.find((l) => l.startsWith(HEADER[2]));
  const body = lines.slice(block.length).join('\n');
  for (const part of reads ? reads.slice(HEADER[2].length).split(',') : []) {
    const name = /^\s*([a-z_][a-z0-9_]*)/.exec(part)?.[1];
    if (!name) problems.push(`Reads lists '${part.trim()}', which is no table or view name`);
    else if (!new RegExp(`\\b${name}\\b`).test(body)) problems.push(`Reads lists ${name}, which the statement does not use`);
  }
  if (!body.trim()) problems.push('there is no statement after the header');
  return problems;
}
