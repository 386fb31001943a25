-- Ends every session of a user (password set, account disabled). Parameters: $user_id.
delete from console_sessions where user_id = $user_id
