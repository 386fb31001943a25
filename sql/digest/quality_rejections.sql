-- Messages rejected during the week [$start, $end) by when they were received (rejected_at): a
-- rejected message's event time cannot be read (its payload is not kept, and is often no JSON), so
-- this one line of the digest counts by arrival and says so. By reason (the part before the first
-- ':', the field or check that refused them), most frequent first, at most 10.
select split_part(reason, ':', 1) as reason, count(*)::integer as count
from rejections where rejected_at >= $start::timestamptz and rejected_at < $end::timestamptz
group by all order by count desc, reason limit 10
