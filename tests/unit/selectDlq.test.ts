import { describe, expect, it } from 'vitest';
import type { DlqRecord } from '../../pipeline/readDlq.ts';
import { originOf, selectDlq } from '../../pipeline/selectDlq.ts';

const rec = (over: Partial<DlqRecord>): DlqRecord => ({
  partition: 0,
  offset: '0',
  timestamp: Date.parse('2025-07-01T10:00:00+08:00'),
  origin: { topic: 'edu.admission', partition: 1, offset: '7' },
  reason: 'year: required field is missing',
  sha256: 'ab12cd34'.padEnd(64, '0'),
  bytes: 10,
  valueDropped: false,
  key: null,
  value: Buffer.from('{}'),
  headers: {},
  ...over,
});

describe('selectDlq', () => {
  const a = rec({});
  const b = rec({
    offset: '1',
    origin: { topic: 'edu.funding', partition: 0, offset: '3' },
    reason: 'not valid JSON',
    sha256: 'ff'.padEnd(64, '1'),
    timestamp: Date.parse('2025-07-02T10:00:00+08:00'),
  });
  const c = rec({ offset: '2', origin: null, reason: '', sha256: '' });
  const all = [a, b, c];

  it('no filter selects everything, in order', () => expect(selectDlq(all, {})).toEqual(all));
  it('--topic matches the original topic exactly; records without origin never match', () => expect(selectDlq(all, { topic: 'edu.funding' })).toEqual([b]));
  it('--reason is a case-insensitive substring', () => expect(selectDlq(all, { reason: 'JSON' })).toEqual([b]));
  it('--since keeps records forwarded at or after the moment', () => expect(selectDlq(all, { since: b.timestamp })).toEqual([b]));
  it('--sha takes whole hashes or prefixes, any case, any of several', () => expect(selectDlq(all, { sha: ['AB12', 'ffffff'] })).toEqual([a]));
  it('--origin is topic:partition:offset', () => {
    expect(originOf(a)).toBe('edu.admission:1:7');
    expect(originOf(c)).toBeNull();
    expect(selectDlq(all, { origin: ['edu.funding:0:3', 'edu.admission:1:8'] })).toEqual([b]);
  });
  it('filters combine: all must hold', () => expect(selectDlq(all, { topic: 'edu.admission', reason: 'json' })).toEqual([]));
});
