import { describe, expect, it } from 'vitest';
import { versionedCache } from '../../service/console/boardCache.ts';

/** A cache over a version we set, and a load that counts its calls and answers `value` until `until`. */
function world() {
  let version = 1;
  let loads = 0;
  const cache = versionedCache<string>(() => version);
  const load =
    (value: string, until = Number.POSITIVE_INFINITY) =>
    () => {
      loads++;
      return Promise.resolve({ value, until });
    };
  return {
    cache,
    load,
    bump: () => version++,
    loads: () => loads,
  };
}

describe('the board cache', () => {
  it('serves fifty officials of one scope with one load while nothing is written', async () => {
    const w = world();
    const answers = await Promise.all(Array.from({ length: 50 }, () => w.cache.get('温县|page 1', 1000, w.load('board of 温县'))));
    expect(new Set(answers)).toEqual(new Set(['board of 温县']));
    expect(w.loads()).toBe(1);
    expect(await w.cache.get('武陟县|page 1', 1000, w.load('board of 武陟县'))).toBe('board of 武陟县');
    expect(w.loads()).toBe(2);
  });

  it('loads again after a write (an acknowledgement, a sweep): never shows what was true before it', async () => {
    const w = world();
    expect(await w.cache.get('k', 1000, w.load('before the ack'))).toBe('before the ack');
    w.bump();
    expect(await w.cache.get('k', 1000, w.load('after the ack'))).toBe('after the ack');
    expect(w.loads()).toBe(2);
  });

  it('loads again once a silence starts or ends (the until of the load), with nothing written', async () => {
    const w = world();
    expect(await w.cache.get('k', 1000, w.load('silenced', 5000))).toBe('silenced');
    expect(await w.cache.get('k', 4999, w.load('not used'))).toBe('silenced');
    expect(await w.cache.get('k', 5000, w.load('silence over'))).toBe('silence over');
    expect(w.loads()).toBe(2);
  });

  it('keeps no failed load: the next request tries again', async () => {
    const w = world();
    await expect(w.cache.get('k', 1000, () => Promise.reject(new Error('reader busy')))).rejects.toThrow('reader busy');
    expect(await w.cache.get('k', 1000, w.load('second try'))).toBe('second try');
  });
});
