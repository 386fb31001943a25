/**
 * Issue 8, items 7 and 8, end to end: text is decoded strictly on both ways in (a GBK CSV is
 * rejected with a hint unless --encoding says what it is; ids that differ only in invalid bytes
 * are rejected, not merged), and one student spelled three ways (a padded CSV cell, the
 * platform's plain id, full-width) is one pseudonym, while Excel's 4.10821E+17 is rejected.
 * The real CLI, the real broker and a real DuckDB file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { topicsOf } from '../../domain/topics.ts';
import { createPseudonymizer } from '../../ingest/pseudonymize.ts';
import { runEdumon } from '../helpers/cli.ts';
import { publishRaw, testKafka } from '../helpers/kafka.ts';
import { TEST_KEY, testEnv } from '../helpers/testEnv.ts';
import { queryWarehouse } from '../helpers/warehouse.ts';

const SCHOOL = '3441080201';
const AT = '2025-07-02T09:13:00+08:00';
const HINT = 'if the file is GBK/GB18030 (Excel on Chinese Windows), pass --encoding gb18030';
const SCI =
  'looks like a number in scientific notation (d.dddddE+17): Excel rounds long ids, so different people become one; format the column as text and export it again';
/** Every spelling of a raw id used here: none may show up in a reason or in what the CLI prints. */
const RAW = ['XW2025', 'ＸＷ２０２５', 'RAWSTU', '4.10821', '10821E'];
const leaks = (text: string) => RAW.filter((id) => text.includes(id));

describe('encodings and identifiers, through `edumon ingest`, the topics and `edumon run`', () => {
  const t = testEnv('enc-ids');
  const topics = topicsOf(t.config);
  const kafka = testKafka();
  const out: Record<string, Awaited<ReturnType<typeof runEdumon>>> = {};

  // A school registry export saved by Excel on Chinese Windows: GBK, CRLF.
  const gbkCsv = join(t.dir, 'schools-gbk.csv');
  const names = { 'gbk-1': '焦作市第一幼儿园', 'gbk-2': '温县实验幼儿园', 'gbk-3': '武陟县育才幼儿园' };
  const schoolHeader = 'event_id,occurred_at,school_id,name,level,ownership,region_code,status,licensed,capacity';
  const schoolRows = Object.entries(names).map(([id, name], i) => `${id},${AT},344108020${i + 2},${name},kindergarten,public,410802,active,true,120`);

  // A roster: the student with a trailing space, and two students Excel turned into 4.10821E+17.
  const rosterCsv = join(t.dir, 'roster.csv');
  const rosterRows = [
    'type,event_id,occurred_at,school_id,student_id,year,level,grade,class_id,home_region_code',
    `enrollment.enrolled,roster-1,2025-09-01T08:00:00+08:00,${SCHOOL},XW2025-0001 ,2025,high_school,1,C1,410802`,
    `enrollment.enrolled,roster-sci-1,2025-09-01T08:00:00+08:00,${SCHOOL},4.10821E+17,2025,high_school,1,C1,410802`,
    `enrollment.enrolled,roster-sci-2,2025-09-01T08:00:00+08:00,${SCHOOL},4.10821E+17,2025,high_school,1,C2,410802`,
  ];

  const admitted = (eventId: string, studentId: string | Buffer) => {
    const [before, after] = JSON.stringify({
      event_id: eventId,
      type: 'admission.admitted',
      occurred_at: AT,
      school_id: SCHOOL,
      student_id: 'ID',
      year: 2025,
      home_region_code: '410802',
      admission_type: 'unified',
    }).split('"ID"') as [string, string];
    return Buffer.concat([Buffer.from(`${before}"`), Buffer.from(studentId), Buffer.from(`"${after}`)]);
  };
  const raw = (value: Buffer, topic: string = topics.admission) => ({ topic, key: SCHOOL, value });
  const published = [
    raw(admitted('topic-bad-ff', Buffer.concat([Buffer.from('RAWSTU-C-'), Buffer.from([0xff])]))),
    raw(admitted('topic-bad-fe', Buffer.concat([Buffer.from('RAWSTU-C-'), Buffer.from([0xfe])]))),
    raw(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), admitted('topic-bom', 'BOM-STUDENT-1')])),
    raw(admitted('topic-plain', 'XW2025-0001')),
    raw(
      Buffer.from(
        JSON.stringify({
          event_id: 'topic-fullwidth',
          type: 'enrollment.left',
          occurred_at: '2025-12-01T08:00:00+08:00',
          school_id: SCHOOL,
          student_id: 'ＸＷ２０２５－０００１',
          reason: 'transferred',
        }),
      ),
      topics.enrollment,
    ),
    raw(admitted('topic-sci', '4.10821E+17')),
  ];

  beforeAll(async () => {
    writeFileSync(gbkCsv, iconv.encode([schoolHeader, ...schoolRows, ''].join('\r\n'), 'gbk'));
    writeFileSync(rosterCsv, `${rosterRows.join('\n')}\n`);
    out.gbkAsUtf8 = await runEdumon(['ingest', gbkCsv, '--type', 'school.upserted'], t.env);
    out.unknownEncoding = await runEdumon(['ingest', gbkCsv, '--type', 'school.upserted', '--encoding', 'klingon'], t.env);
    out.gbk = await runEdumon(['ingest', gbkCsv, '--type', 'school.upserted', '--encoding', 'gb18030'], t.env);
    out.roster = await runEdumon(['ingest', rosterCsv], t.env);
    await publishRaw(kafka, published);
    out.run = await runEdumon(['run', '--until-idle'], t.env);
  }, 180_000);

  it('without --encoding, rejects every line of a GBK CSV by its line with the hint, and exits 1', () => {
    const r = out.gbkAsUtf8!;
    expect(r.code, r.output).toBe(1);
    for (const line of [2, 3, 4])
      expect(r.stderr).toMatch(new RegExp(`^${gbkCsv}:${line}: not valid UTF-8 at byte \\d+ of the line; ${HINT.replace(/[()/]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toContain(`${gbkCsv}: 3 records, 0 published, 3 rejected`);
  });

  it('refuses an unknown --encoding as a usage error naming it (exit 2)', () => {
    const r = out.unknownEncoding!;
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toContain('--encoding klingon: not an encoding edumon can read files in');
  });

  it('with --encoding gb18030, publishes the lines and the warehouse holds the Chinese names', async () => {
    expect(out.gbk!.code, out.gbk!.output).toBe(0);
    expect(out.gbk!.stdout).toContain(`${gbkCsv}: 3 records, 3 published, 0 rejected`);
    expect(out.run!.code, out.run!.output).toBe(0);
    const rows = await queryWarehouse<{ event_id: string; name: string }>(t.config.warehouse, `select event_id, name from school_versions order by event_id`);
    expect(Object.fromEntries(rows.map((r) => [r.event_id, r.name]))).toEqual(names);
  });

  it('rejects messages whose ids differ only in invalid UTF-8 bytes as rejections with the reason, storing neither', async () => {
    const rows = await queryWarehouse<{ offset: string; reason: string }>(
      t.config.warehouse,
      `select "offset"::varchar as offset, reason from rejections where topic = '${topics.admission}' order by "offset"`,
    );
    const at = published[0]!.value.indexOf(0xff) + 1;
    const utf8Reason = `not valid UTF-8 at byte ${at}: messages must be UTF-8 JSON; a producer with GBK/GB18030 text must convert it to UTF-8`;
    expect(rows.map((r) => r.reason)).toEqual([utf8Reason, utf8Reason, `student_id: ${SCI}`]);
    const stored = await queryWarehouse<{ event_id: string }>(t.config.warehouse, `select event_id from admissions order by event_id`);
    expect(stored.map((r) => r.event_id)).toEqual(['topic-bom', 'topic-plain']);
  });

  it('stores a message that starts with a byte-order mark', async () => {
    const [row] = await queryWarehouse<{ p: string }>(t.config.warehouse, `select student_pseudonym as p from admissions where event_id = 'topic-bom'`);
    expect(row!.p).toBe(createPseudonymizer(TEST_KEY)('BOM-STUDENT-1'));
  });

  it('gives "XW2025-0001 " (CSV), "XW2025-0001" (topic) and full-width "ＸＷ２０２５－０００１" (topic) one pseudonym', async () => {
    const rows = await queryWarehouse<{ event_id: string; p: string }>(
      t.config.warehouse,
      `select event_id, student_pseudonym as p from enrollments union all
       select event_id, student_pseudonym from admissions where event_id = 'topic-plain' union all
       select event_id, student_pseudonym from enrollment_departures order by event_id`,
    );
    expect(rows.map((r) => r.event_id)).toEqual(['roster-1', 'topic-fullwidth', 'topic-plain']);
    expect(new Set(rows.map((r) => r.p))).toEqual(new Set([createPseudonymizer(TEST_KEY)('XW2025-0001')]));
  });

  it('rejects ids in scientific notation on both paths, with the reason', async () => {
    const r = out.roster!;
    expect(r.code, r.output).toBe(1);
    for (const line of [3, 4]) expect(r.stderr).toContain(`${rosterCsv}:${line}: student_id: ${SCI}\n`);
    expect(r.stdout).toContain(`${rosterCsv}: 3 records, 1 published, 2 rejected`);
    const sci = await queryWarehouse(t.config.warehouse, `select reason from rejections where reason like '%scientific notation%'`);
    expect(sci).toEqual([{ reason: `student_id: ${SCI}` }]);
  });

  it('never shows a raw id in a rejection reason or in what the CLI prints', async () => {
    const reasons = await queryWarehouse<{ reason: string }>(t.config.warehouse, `select reason from rejections`);
    expect(reasons).toHaveLength(3);
    expect(leaks(reasons.map((r) => r.reason).join('\n'))).toEqual([]);
    expect(
      leaks(
        Object.values(out)
          .map((r) => r.output)
          .join('\n'),
      ),
    ).toEqual([]);
  });
});
