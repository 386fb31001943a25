-- Disables (or enables) a user. Parameters: $id, $disabled. Returns the id, or no row.
update console_users set disabled = $disabled::boolean where id = $id returning id
