-- The official monthly series: each city x offense over its own span (first to last
-- official month in range), a month without an official count a gap (no value).
with scoped as (
    select city_id, month as period, offense, count, source, kind
    from official_monthly
    where {{ where }}
),

spans as (
    select city_id, offense, min(period) as lo, max(period) as hi from scoped group by all
),

grid as (
    select city_id, offense, unnest(generate_series(lo, hi, interval 1 month))::date as period
    from spans
),

final as (
    select g.city_id, c.name as city, g.period, g.offense, s.source,
           case when s.kind = 'incidents' then 'incidents' else 'counts' end as kind,
           s.count, p.population
    from grid g
    join cities c using (city_id)
    left join scoped s using (city_id, offense, period)
    left join city_population p on p.city_id = g.city_id and p.year = year(g.period)
)

select * from final order by city, offense, period
