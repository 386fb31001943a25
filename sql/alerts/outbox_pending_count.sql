-- How many emails are not sent yet and not given up: pending, or of unknown outcome.
select count(*)::integer as n from outbox where state in ('pending', 'unknown')
