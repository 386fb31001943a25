-- The data-health page's open DQ-STALE-FEED alerts: one per stopped feed (the alert's subject),
-- with when it opened (epoch ms), how far behind and the allowed quiet (details.unit).
select id, subject as feed, epoch_ms(opened_at) as opened_ms, observed, threshold, details ->> 'unit' as unit
from alerts
where rule = 'DQ-STALE-FEED' and status = 'open'
order by opened_at
