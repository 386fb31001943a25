-- Sets a user's role and regions. Parameters: $id, $role, $regions (a JSON array). Returns the id, or no row.
update console_users set role = $role, regions = cast(json($regions::varchar) as varchar[]) where id = $id returning id
