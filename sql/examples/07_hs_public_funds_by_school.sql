-- 问题：各普通高中生均公用经费应拨多少、实拨多少（每生每年不低于1000元，县中 18）？
-- Question: Per high school, how much per-student public funding (生均公用经费) was disbursed
--   against what is due (at least 1,000 yuan per student a year: county high school plan, 18)?
-- 读取 / Reads: asof_hs_funds (sql/views/asof_5_funds.sql: HS-FUNDS's own figures), region_names
-- 每行 / One row: an active high school with students: its students, the yuan due for the fiscal
--   year so far (1,000 per student, pro rata to the quarters ended), the yuan disbursed
--   (per_student_public_funds) and the shortfall (0 if none); worst first.
-- 注意 / Caveat: as of 2025-12-31 23:59:59 (Asia/Shanghai; edit the literal for another moment:
--   before year end only the ended quarters are due); students are those enrolled at that moment,
--   as HS-FUNDS counts them, not an average over the year.
select h.region_code, r.name_zh as region_name, h.school_id, h.name as school_name, h.students,
  h.due_yuan, h.funds_yuan as disbursed_yuan, greatest(h.due_yuan - h.funds_yuan, 0) as shortfall_yuan
from asof_hs_funds(timestamptz '2025-12-31 23:59:59+08', 1000) h
  left join region_names r using (region_code)
order by shortfall_yuan desc, h.school_id;
