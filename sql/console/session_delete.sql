-- Ends one session. Parameters: $id_hash.
delete from console_sessions where id_hash = $id_hash
