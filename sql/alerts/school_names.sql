-- The registered names of the schools an email names ($ids, comma-separated): the latest version.
select school_id, name from current_schools where list_contains(string_split($ids::varchar, ','), school_id)
