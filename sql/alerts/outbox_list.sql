-- The outbox as `edumon notify list` shows it, newest first. Times are shown to people:
-- Asia/Shanghai with its offset, computed here so the host's TZ plays no part. `waiting` says why
-- an email not sent waits: held (and why), failed (and how to send it again), or until when.
-- Parameters: $state (null for any).
select id, strftime(timezone('Asia/Shanghai', created_at), '%Y-%m-%dT%H:%M:%S+08:00') as created_at,
  contact_id, address, kind, subject, state, attempts, last_code, last_reply,
  case state
    when 'held' then '已暂停，待 edumon notify retry / held until edumon notify retry: ' || coalesce(hold_reason, '')
    when 'failed' then '发送失败，可用 edumon notify retry 重发 / failed: edumon notify retry sends it again'
    when 'sent' then null
    else '下次尝试 next attempt ' || strftime(timezone('Asia/Shanghai', next_attempt_at), '%Y-%m-%dT%H:%M:%S+08:00')
      || case when attempts = 0 then '' when state = 'unknown' then '（上次未收到服务器答复，可能已送达 no reply to the last attempt: maybe delivered）'
         else '（上次 last: ' || coalesce(last_reply, '') || '）' end
  end as waiting
from outbox
where $state::varchar is null or state = $state::varchar
order by created_at desc, id
