-- The registered names of the schools an email or a console page names ($ids, comma-separated):
-- each one's latest version, as current_schools has it. From school_versions filtered first, not
-- from current_schools: that view ranks every school's versions before a filter can apply.
select school_id, name from school_versions
where list_contains(string_split($ids::varchar, ','), school_id)
qualify row_number() over (partition by school_id order by occurred_at desc, event_id desc) = 1
