-- One row of the audit trail. Parameters: $at, $user_id, $action, $target, $outcome, $address, $detail.
insert into console_audit (happened_at, user_id, action, target, outcome, address, detail)
values ($at::timestamptz, $user_id, $action, $target, $outcome, $address, $detail)
