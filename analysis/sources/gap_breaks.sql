-- Months missing inside a city's published counts (analysis.sources.health.chart_breaks):
-- every month of each counts span that has no row in monthly_counts.
with {{ coverage }},

published as (
    select v.city_id, v.source,
           unnest(generate_series(v.first_month, v.last_month, interval 1 month))::date as month
    from coverage v
    where v.kind = 'counts' and v.city_id in (select unnest($cities::varchar[]))
),

final as (
    select p.city_id, c.name as city, p.month, p.source,
           'gap in published counts (' || p.source || ')' as label
    from published p
    join cities c using (city_id)
    where not exists (
        select 1 from monthly_counts m
        where m.city_id = p.city_id and m.source = p.source and m.month = p.month
    )
)

select * from final order by city, month
