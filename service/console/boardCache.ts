/**
 * The alerts board's data kept between requests while the alerts do not change: officials of one
 * county (or the city) share a scope, and most of them look at the board's first page, so fifty
 * officials at once cost a few queries, not fifty (docs/BENCHMARKS.md, "The console").
 */

/** A value loaded as of a moment, and the moment (epoch ms) until which it stays true. */
export interface Dated<T> {
  value: T;
  until: number;
}

/**
 * A cache of loads keyed by text, emptied whenever `version()` changes (ConsoleDeps.alertsVersion:
 * every write to alerts, silences and acknowledgements changes it after it commits); an
 * entry is dropped once `now` reaches its `until` (a silence starting or ending changes the board
 * with no write). At most `max` entries, the oldest dropped first. A load that fails is not kept.
 */
export function versionedCache<T>(version: () => number, max = 500) {
  let seen = Number.NaN;
  /** Each key's load; `until` is set once it has settled (while loading, later requests share it). */
  const entries = new Map<string, { loading: Promise<Dated<T>>; until?: number }>();
  return {
    /** The value for `key` as of `now` (epoch ms), by `load` unless an earlier load still holds. */
    async get(key: string, now: number, load: () => Promise<Dated<T>>): Promise<T> {
      const v = version();
      if (v !== seen) {
        entries.clear();
        seen = v;
      }
      const kept = entries.get(key);
      if (kept && (kept.until === undefined || now < kept.until)) return (await kept.loading).value;
      const entry: { loading: Promise<Dated<T>>; until?: number } = { loading: load() };
      entries.set(key, entry);
      entry.loading.then(
        (d) => {
          entry.until = d.until;
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
      if (entries.size > max) entries.delete(entries.keys().next().value!);
      return (await entry.loading).value;
    },
  };
}
