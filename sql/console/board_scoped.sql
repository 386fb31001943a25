-- The alerts one console user may see, each with its board state, filtered as the board asks.
-- Not a statement of its own: board_page.sql and board_counts.sql read it as `scoped`
-- (service/console/boardQuery.ts puts it in front of them).
-- Parameters: $scope (all | regional | dataHealth | regions | none), $regions (JSON array, for regions),
-- $now, and the filters, each null for any: $state (open | acked | silenced | resolved), $region,
-- $rule, $severity, $school (a school code, or part of its registered name), $from, $to (opened within).
with scoped as (
  select a.*,
    exists (
      select 1 from silences s
      where s.rule = a.rule and (s.school_id is null or s.school_id = a.school_id)
        and (s.region_code is null or s.region_code = a.region_code)
        and s.created_at <= $now::timestamptz and $now::timestamptz < s.until
    ) as silenced
  from alerts a
  where case $scope::varchar
      when 'all' then true
      when 'regional' then (not starts_with(a.rule, 'DQ-') and a.region_code is not null) or a.region_code = '410800'
      when 'dataHealth' then starts_with(a.rule, 'DQ-') or a.region_code is null
      when 'regions' then list_contains(cast(json($regions::varchar) as varchar[]), a.region_code)
      else false
    end
    and ($region::varchar is null or a.region_code = $region::varchar)
    and ($rule::varchar is null or a.rule = $rule::varchar)
    and ($severity::varchar is null or a.severity = $severity::varchar)
    and ($from::timestamptz is null or a.opened_at >= $from::timestamptz)
    and ($to::timestamptz is null or a.opened_at < $to::timestamptz)
    and ($school::varchar is null or a.school_id = $school::varchar
      or a.school_id in (select school_id from current_schools where contains(name, $school::varchar)))
),
stated as (
  select *,
    case when status = 'resolved' then 'resolved' when acked_at is not null then 'acked' when silenced then 'silenced' else 'open' end as state
  from scoped
),
board as (
  select * from stated where $state::varchar is null or state = $state::varchar
)
