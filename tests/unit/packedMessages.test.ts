import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { packMessages } from '../../pipeline/packedMessages.ts';

describe('packMessages', () => {
  // Views of one big buffer, as kafkajs hands them out from a fetch response.
  const response = Buffer.from(`k1{"a":1}k3{"c":3}${'x'.repeat(100_000)}`);
  const message = (offset: string, key: Buffer | null, value: Buffer | null, headers?: KafkaMessage['headers']) =>
    ({ offset, key, value, headers, timestamp: '0', attributes: 0, size: 0 }) as unknown as KafkaMessage;
  const messages = [
    message('10', response.subarray(0, 2), response.subarray(2, 9)),
    message('12', null, null, { trace: Buffer.from('abc') }),
    message('15', response.subarray(9, 11), response.subarray(11, 18)),
  ];
  const find = packMessages(messages);

  it('gives back each message by offset, gaps between offsets included, with its key, value and headers', () => {
    expect(find('10')).toEqual({ offset: '10', key: Buffer.from('k1'), value: Buffer.from('{"a":1}'), headers: {} });
    expect(find('12')).toEqual({ offset: '12', key: null, value: null, headers: { trace: Buffer.from('abc') } });
    expect(find('15')).toEqual({ offset: '15', key: Buffer.from('k3'), value: Buffer.from('{"c":3}'), headers: {} });
    expect(find('11')).toBeUndefined();
    expect(find('16')).toBeUndefined();
  });

  it('keeps copies, not views of the fetch response (which would keep it alive)', () => {
    expect(find('10')!.value!.buffer).not.toBe(response.buffer);
    expect(find('15')!.key!.buffer).not.toBe(response.buffer);
  });
});
