-- Records one rule run, failed or not (DQ-RULE-FAILED and the scheduler's last runs read these).
-- Parameters: $rule, $as_of (the sweep's requested moment), $effective_as_of (the moment the rule
-- judged), $started_at, $duration_ms, $rows_found, $ok, $error.
insert into rule_runs (rule, as_of, effective_as_of, started_at, duration_ms, rows_found, ok, error)
values ($rule, $as_of::timestamptz, $effective_as_of::timestamptz, $started_at::timestamptz, $duration_ms, $rows_found, $ok, $error)
