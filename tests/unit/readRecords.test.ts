import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventType } from '../../domain/contract.ts';
import { decodeObject } from '../../ingest/decode.ts';
import { textEncoding } from '../../ingest/decodeText.ts';
import { type FileRecord, formatOf, readCsv, readJsonLines } from '../../ingest/readRecords.ts';
import { RAW_ID, sample } from './samples.ts';

const dir = mkdtempSync(join(tmpdir(), 'edumon-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(ext: string, text: string | Buffer): string {
  const f = join(dir, `f${n++}.${ext}`);
  writeFileSync(f, text);
  return f;
}
async function all(gen: AsyncGenerator<FileRecord>): Promise<FileRecord[]> {
  const out: FileRecord[] = [];
  for await (const r of gen) out.push(r);
  return out;
}
const jsonl = (text: string) => all(readJsonLines(file('jsonl', text)));
const csv = (text: string | Buffer, type?: EventType, encoding?: string) =>
  all(readCsv(file('csv', text), type, encoding === undefined ? undefined : textEncoding(encoding)));
const WAGE_HEADER = 'type,event_id,occurred_at,school_id,staff_id,period,amount_yuan';
const wageLine = (id: string, amount = '4000.5') => `wage.paid,${id},2025-09-30T17:00:00+08:00,3441080201,PAY-0000042,2025-09,${amount}`;

describe('formatOf', () => {
  it('reads the format from the file name', () => {
    expect(formatOf('a.jsonl')).toBe('jsonl');
    expect(formatOf('a.NDJSON')).toBe('jsonl');
    expect(formatOf('dir/a.json')).toBe('jsonl');
    expect(formatOf('a.CSV')).toBe('csv');
  });
  it('lets --format override the name', () => {
    expect(formatOf('a.txt', 'csv')).toBe('csv');
    expect(formatOf('a.csv', 'jsonl')).toBe('jsonl');
  });
  it('refuses an unknown name or --format value, saying what to pass', () => {
    expect(() => formatOf('a.txt')).toThrow(/a\.txt: cannot tell the format .*--format jsonl or --format csv/);
    expect(() => formatOf('a.csv', 'xml')).toThrow('--format must be jsonl or csv, not xml');
  });
});

describe('readJsonLines', () => {
  it('yields each object with its 1-based line number, skipping blank lines without renumbering', async () => {
    const a = sample('wage.paid');
    const b = sample('funds.disbursed');
    expect(await jsonl(`${JSON.stringify(a)}\n\n   \n${JSON.stringify(b)}\n\n`)).toEqual([
      { line: 1, value: a },
      { line: 4, value: b },
    ]);
  });

  it('handles CRLF line endings and a last line without newline', async () => {
    expect(await jsonl('{"a":1}\r\n\r\n{"b":2}')).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: { b: 2 } },
    ]);
  });

  it('reports a line that is not JSON and goes on', async () => {
    expect(await jsonl(`{"student_id":"${RAW_ID}",\n{"ok":true}\n`)).toEqual([
      { line: 1, error: 'not valid JSON' },
      { line: 2, value: { ok: true } },
    ]);
  });

  it('reports a line over 64 KiB without parsing it and goes on', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(64 * 1024) });
    expect(await jsonl(`${big}\n{"ok":1}\n`)).toEqual([
      { line: 1, error: 'record is over the 65536-byte limit' },
      { line: 2, value: { ok: 1 } },
    ]);
  });

  it('yields a JSON array as a value, for validation to reject', async () => {
    expect(await jsonl('[1,2]\n')).toEqual([{ line: 1, value: [1, 2] }]);
  });

  it('rejects a line that is not valid UTF-8, by its line, with the byte and a hint, and reads the others', async () => {
    const bad = Buffer.concat([Buffer.from('{"student_id":"RAWSTU-C-'), Buffer.from([0xff]), Buffer.from('"}')]);
    const recs = await all(readJsonLines(file('jsonl', Buffer.concat([Buffer.from('{"a":1}\n'), bad, Buffer.from('\n{"b":2}\n')]))));
    expect(recs).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: 'not valid UTF-8 at byte 25 of the line; if the file is GBK/GB18030 (Excel on Chinese Windows), pass --encoding gb18030' },
      { line: 3, value: { b: 2 } },
    ]);
  });

  it('reads line 1 of a JSONL file that starts with a UTF-8 byte-order mark', async () => {
    expect(await jsonl('\uFEFF{"a":1}\n')).toEqual([{ line: 1, value: { a: 1 } }]);
  });
});

describe('readCsv', () => {
  it('uses the header row as field names and coerces numbers per field; rows decode as contract events', async () => {
    const recs = await csv(`${WAGE_HEADER}\n${wageLine('w1')}\n${wageLine('w2', '12')}\n`);
    expect(recs.map((r) => r.line)).toEqual([2, 3]);
    expect(recs[0]).toEqual({
      line: 2,
      value: {
        type: 'wage.paid',
        event_id: 'w1',
        occurred_at: '2025-09-30T17:00:00+08:00',
        school_id: '3441080201',
        staff_id: 'PAY-0000042',
        period: '2025-09',
        amount_yuan: 4000.5,
      },
    });
    for (const r of recs) expect('value' in r && decodeObject(r.value).ok).toBe(true);
  });

  it('coerces booleans, treats empty cells as absent optional fields, and reads a BOM header', async () => {
    const text =
      '\uFEFFevent_id,occurred_at,school_id,name,level,ownership,region_code,township_code,status,licensed,capacity,puhui\n' +
      's1,2025-07-02T09:13:00+08:00,3441080201,焦作市幼儿园,kindergarten,public,410802,,active,TRUE,120,1\n';
    const [rec] = await csv(text, 'school.upserted');
    expect(rec).toEqual({
      line: 2,
      value: {
        type: 'school.upserted',
        event_id: 's1',
        occurred_at: '2025-07-02T09:13:00+08:00',
        school_id: '3441080201',
        name: '焦作市幼儿园',
        level: 'kindergarten',
        ownership: 'public',
        region_code: '410802',
        status: 'active',
        licensed: true,
        capacity: 120,
        puhui: true,
      },
    });
    expect(rec && 'value' in rec && decodeObject(rec.value).ok).toBe(true);
  });

  it('takes the type from --type when the file has no type column', async () => {
    const [rec] = await csv(
      'event_id,occurred_at,region_code,year,age_3_5,age_15_17\np1,2025-07-02T09:13:00+08:00,410821,2025,12000,9000\n',
      'population.reported',
    );
    expect(rec).toEqual({
      line: 2,
      value: {
        type: 'population.reported',
        event_id: 'p1',
        occurred_at: '2025-07-02T09:13:00+08:00',
        region_code: '410821',
        year: 2025,
        age_3_5: 12000,
        age_15_17: 9000,
      },
    });
  });

  it('reports each row without a type column or --type, with its line', async () => {
    expect(await csv('event_id,occurred_at\ne1,x\ne2,y\n')).toEqual([
      { line: 2, error: 'no type: add a `type` column or pass --type' },
      { line: 3, error: 'no type: add a `type` column or pass --type' },
    ]);
  });

  it('reads quoted cells holding commas, quotes and newlines, and keeps counting lines after them', async () => {
    const text = `${WAGE_HEADER}\n${wageLine('w1')}\nwage.paid,"w,2",2025-09-30T17:00:00+08:00,3441080201,"PAY ""A""\nline2",2025-09,1\n\n${wageLine('w3')}\n`;
    const recs = await csv(text);
    expect(recs).toHaveLength(3);
    expect(recs[1]).toMatchObject({ value: { event_id: 'w,2', staff_id: 'PAY "A"\nline2', amount_yuan: 1 } });
    expect(recs[0]?.line).toBe(2);
    expect(recs[2]?.line).toBe(6);
  });

  describe('a CSV saved by Excel on Chinese Windows (GBK)', () => {
    const header = 'event_id,occurred_at,school_id,name,level,ownership,region_code,status,licensed,capacity';
    const row = (id: string, name: string) => `${id},2025-07-02T09:13:00+08:00,3441080201,${name},kindergarten,public,410802,active,true,120`;
    const gbkFile = iconv.encode(
      [header, row('s1', '焦作市幼儿园'), row('s2', 'Jiaozuo KG'), row('s3', '"温县\n实验幼儿园"'), row('s4', '武陟县幼儿园'), ''].join('\r\n'),
      'gbk',
    );
    const hint = 'if the file is GBK/GB18030 (Excel on Chinese Windows), pass --encoding gb18030';

    it('without --encoding: rejects each line with Chinese text by its line, with the hint, and reads the ASCII line', async () => {
      const recs = await csv(gbkFile, 'school.upserted');
      expect(recs.map((r) => [r.line, 'error' in r ? r.error : (r.value as { name: string }).name])).toEqual([
        [2, `not valid UTF-8 at byte 41 of the line; ${hint}`],
        [3, 'Jiaozuo KG'],
        [4, `not valid UTF-8 at byte 42 of the line; ${hint}`],
        [6, `not valid UTF-8 at byte 41 of the line; ${hint}`],
      ]);
    });

    it('with --encoding gb18030: reads the names, a quoted multi-line cell included', async () => {
      const recs = await csv(gbkFile, 'school.upserted', 'gb18030');
      expect(recs.map((r) => [r.line, 'value' in r && (r.value as { name: string }).name])).toEqual([
        [2, '焦作市幼儿园'],
        [3, 'Jiaozuo KG'],
        [4, '温县\n实验幼儿园'],
        [6, '武陟县幼儿园'],
      ]);
      for (const r of recs) expect('value' in r && decodeObject(r.value).ok).toBe(true);
    });

    it('rejects a multi-line record whose second line is not valid, naming that line, and goes on', async () => {
      const [before, after] = row('s1', '"first\nNAME"').split('NAME') as [string, string];
      const text = Buffer.concat([Buffer.from(`${header}\n${before}`), Buffer.from([0xff]), Buffer.from(`${after}\n${row('s2', 'ok')}\n`)]);
      const recs = await csv(text, 'school.upserted');
      expect(recs.map((r) => [r.line, 'error' in r ? r.error : 'ok'])).toEqual([
        [2, `line 3: not valid UTF-8 at byte 1 of the line; ${hint}`],
        [4, 'ok'],
      ]);
    });
  });

  it('passes an unknown type through as text for validation to reject', async () => {
    const [rec] = await csv('type,event_id,year\nfoo.bar,e1,2025\n');
    expect(rec).toEqual({ line: 2, value: { type: 'foo.bar', event_id: 'e1', year: '2025' } });
  });

  it('leaves an unreadable number as text so validation names the field', async () => {
    const [rec] = await csv(`${WAGE_HEADER}\n${wageLine('w1', 'abc')}\n`);
    const d = rec && 'value' in rec ? decodeObject(rec.value) : undefined;
    expect(d).toEqual({ ok: false, reason: 'amount_yuan: expected number, received string' });
  });

  it('reports a CSV syntax error with its line and a reason that does not quote the file', async () => {
    const recs = await csv(`${WAGE_HEADER}\nwage.paid,"${RAW_ID}"x,y\n`);
    expect(recs).toEqual([{ line: 2, error: 'CSV record cannot be read: unexpected text after a closing quote in cell 2' }]);
    expect(JSON.stringify(recs)).not.toContain(RAW_ID);
  });

  it('keeps the valid rows before and after a CSV syntax error', async () => {
    const recs = await csv(
      `${WAGE_HEADER}\n${wageLine('w1')}\n${wageLine('w2')}\nwage.paid,"bad"x,y\n${wageLine('w3')}\nwage.paid,"never closed\n${wageLine('w4')}\n`,
    );
    expect(recs.filter((r) => 'value' in r).map((r) => r.line)).toEqual([2, 3, 5, 7]);
    expect(recs.filter((r) => 'error' in r).map((r) => r.line)).toEqual([4, 6]);
  });

  it('after a quote left open mid-file, reports every following record at its own line', async () => {
    const after = Array.from({ length: 60 }, (_, i) => wageLine(`a${i}`));
    const recs = await csv(`${WAGE_HEADER}\nwage.paid,"never closed\n${after.slice(0, 30).join('\n')}\n\n${after.slice(30).join('\n')}\n`);
    expect(recs.filter((r) => 'error' in r).map((r) => r.line)).toEqual([2]);
    // Lines 3..32, a blank line 33, then 34..63.
    const expected = [...Array.from({ length: 30 }, (_, i) => 3 + i), ...Array.from({ length: 30 }, (_, i) => 34 + i)];
    expect(recs.filter((r) => 'value' in r).map((r) => r.line)).toEqual(expected);
  });
});
