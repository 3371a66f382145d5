-- One row per registry city: its sources and spans (analysis.sources.health.status_by_city).
with by_month as (
    -- city x source x month summary of the incidents (migration 0005): a few thousand
    -- rows whatever the store's size.
    select city_id, source, month, first_day, last_day, n as offenses
    from incident_months
),

official_end as (
    -- The city's last complete month: the end of its official series (analysis/series/official.py).
    select city_id, max(month) as last_complete_month from official_monthly group by city_id
),

incident_side as (
    select city_id,
           string_agg(distinct source, ', ' order by source) as incident_sources,
           min(first_day) as first_day,
           max(last_day) as last_day,
           sum(offenses)::bigint as offenses,
           count(distinct month) as incident_months
    from by_month
    group by city_id
),

aggregate_side as (
    select city_id,
           string_agg(distinct source, ', ' order by source) as count_sources,
           min(month) as first_month,
           max(month) as last_month,
           count(distinct month) as count_months
    from monthly_counts
    where source not in (select distinct source from by_month)
    group by city_id
),

final as (
    select c.city_id, c.name, c.state,
           i.incident_sources, i.first_day, i.last_day, i.offenses, i.incident_months,
           e.last_complete_month,
           a.count_sources, a.first_month, a.last_month, a.count_months
    from cities c
    left join incident_side i using (city_id)
    left join aggregate_side a using (city_id)
    left join official_end e using (city_id)
)

select * from final order by name
