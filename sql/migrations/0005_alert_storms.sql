-- The storm valve (issue 11, DQ-ALERT-STORM): alerts a rule run would have opened beyond the
-- configured bound, held back until the rule's next run finds them again or an operator releases
-- them (`edumon alerts release --rule ID`). Stored, so a restart loses none. The violation's
-- columns, as the alerts table keeps them (observed and threshold as text).

create table held_alerts (
  rule varchar not null,
  school_id varchar,
  region_code varchar,
  period varchar not null,
  subject varchar,
  observed varchar,
  threshold varchar,
  details json,
  held_at timestamptz not null      -- the moment the run that held it evaluated
);
