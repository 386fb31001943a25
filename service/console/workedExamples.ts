/**
 * The analysts' worked examples (sql/examples/NN_<name>.sql) as the SQL page offers them: each
 * file's name, its question in Chinese and in English and the tables it reads, from the header
 * every example opens with (`-- 问题：`, `-- Question:`, `-- 读取 / Reads:`, each continued on
 * lines opening `--   `; tests/helpers/sqlExamples.ts checks the headers), and its whole text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQL_DIR } from '../../core/db.ts';

export interface WorkedExample {
  /** The file name without `.sql`, e.g. `01_township_central_kindergartens`: what GET /sql?example= names. */
  name: string;
  questionZh: string;
  questionEn: string;
  /** The tables and views it reads, as its header lists them. */
  reads: string;
  sql: string;
}

/** Every example of sql/examples/, in name order, read from disk now. */
export function workedExamples(): WorkedExample[] {
  const dir = join(SQL_DIR, 'examples');
  return readdirSync(dir)
    .filter((f) => /^\d\d_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        name: file.slice(0, -4),
        questionZh: headerValue(sql, '-- 问题：'),
        questionEn: headerValue(sql, '-- Question:'),
        reads: headerValue(sql, '-- 读取 / Reads:'),
        sql,
      };
    });
}

/** The text after `label` in the leading comment block, with its continuation lines (`--   ...`) joined by spaces; '' if absent. */
function headerValue(sql: string, label: string): string {
  const lines = sql.split('\n');
  const at = lines.findIndex((l) => l.startsWith(label));
  if (at < 0) return '';
  const parts = [lines[at]!.slice(label.length).trim()];
  for (let i = at + 1; i < lines.length && lines[i]!.startsWith('--   '); i++) parts.push(lines[i]!.slice(2).trim());
  return parts.join(' ');
}
