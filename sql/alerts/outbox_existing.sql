-- Which of the given outbox ids ($ids, comma-separated) are already in the outbox (a weekly
-- digest's id is its week and recipient: present means written, whatever came of it).
select id from outbox where list_contains(string_split($ids::varchar, ','), id)
