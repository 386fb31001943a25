-- Until when the board's data as of $now stays true while no alert, silence or acknowledgement is
-- written: the next moment a silence starts or ends (null: none ahead). Parameters: $now.
select epoch_ms(min(t)) as until from (
  select created_at as t from silences where created_at > $now::timestamptz
  union all
  select until from silences where until > $now::timestamptz
)
