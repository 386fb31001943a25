-- The weekly digest's figures of each week-end, kept once computed (alerts/digest/figureCache.ts):
-- a digest shows 8 week-ends, and all but the newest were computed for earlier digests. An entry
-- holds while nothing it read has changed: `events` is how many stored events had occurred by
-- `as_of` when it was computed (event tables are append-only, so a late event that occurred by
-- then raises the count), `key` the figures' SQL and parameters. Otherwise it is recomputed and
-- replaced. Aggregates per region only: no pseudonym, no school.
create table digest_figures (
  as_of timestamptz primary key,
  key varchar not null,
  events bigint not null,
  rows json not null,
  computed_at timestamptz not null
);
