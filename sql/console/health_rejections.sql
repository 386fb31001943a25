-- The data-health page's rejections: messages the pipeline refused, by topic and reason, most
-- first, with the first and last refusal (epoch ms). Each is also in the DLQ topic (with its
-- original bytes) until kafka.dlqRetentionDays; the reasons never carry a message's content.
-- Oversized messages are one reason whatever their size (ingest/decode.ts says each one's).
select topic, regexp_replace(reason, '^message is [0-9]+ bytes,', 'message is … bytes,') as reason,
  count(*) as n, epoch_ms(min(rejected_at)) as first_ms, epoch_ms(max(rejected_at)) as last_ms
from rejections
group by all
order by n desc, topic, reason
