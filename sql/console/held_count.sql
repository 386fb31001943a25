-- How many alerts the storm valve holds for a rule. Parameters: $rule.
select count(*) as n from held_alerts where rule = $rule
