-- The board's counts by rule and region, and by state, over everything its filters select.
-- Parameters: board_scoped.sql's.
select rule, region_code, state, count(*) as n
from board
group by all
