-- The pipeline's own state, written in the same transaction as each batch of events:
-- the next offset to read per topic-partition (the source of truth on restart), and one row
-- per rejected message (never its payload: a SHA-256 of the bytes identifies it in edu.dlq).

create table ingest_offsets (
  topic varchar not null,
  "partition" integer not null,
  next_offset bigint not null,
  updated_at timestamptz not null,
  primary key (topic, "partition")
);

create table rejections (
  topic varchar not null,
  "partition" integer not null,
  "offset" bigint not null,
  reason varchar not null,
  payload_sha256 varchar not null,
  payload_bytes integer not null,
  rejected_at timestamptz not null,
  primary key (topic, "partition", "offset")
);
