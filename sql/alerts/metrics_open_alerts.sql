-- GET /metrics: the open alerts by rule and severity (service/metrics.ts edumon_open_alerts).
select rule, severity, count(*) as n from alerts where status = 'open' group by all order by all
