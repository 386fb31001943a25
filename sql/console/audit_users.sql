-- The logins the audit trail names as acting, for the filter's choices. No parameters.
select distinct user_id from console_audit where user_id is not null order by user_id
