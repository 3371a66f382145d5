-- Runs of months a counts source did not report for a city, and reported months with an
-- offense missing (analysis.sources.health.months_not_reported).
with m as (
    select s.city_id, c.name, s.source,
           case when s.status = 'reported' then 'offense not reported: '
                || array_to_string(s.offenses_missing, ', ') else s.status end as status,
           coalesce(s.reason, 'a 0 the mapping reads as not reported') as reason, s.month
    from source_months s join cities c using (city_id)
    where s.status <> 'reported' or len(coalesce(s.offenses_missing, [])) > 0
),

runs as (
    -- month number minus position in the run's list: constant along consecutive months
    select *, datediff('month', date '2000-01-01', month)
              - row_number() over (partition by city_id, source, status, reason order by month) as run
    from m
),

final as (
    select city_id, name, source, status, reason, strftime(min(month), '%Y-%m') as first_month,
           strftime(max(month), '%Y-%m') as last_month, count(*) as months
    from runs group by city_id, name, source, status, reason, run
)

select * from final order by name, source, first_month
