-- Every silence, times ISO 8601 UTC; alerts/silences.ts decides which are in force and match.
select id, rule, school_id, region_code,
  strftime(timezone('UTC', until), '%Y-%m-%dT%H:%M:%S.%fZ') as until,
  reason,
  strftime(timezone('UTC', created_at), '%Y-%m-%dT%H:%M:%S.%fZ') as created_at
from silences
