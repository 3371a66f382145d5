-- Generalised points of a small selection (analysis.geo.points.points): coordinates
-- rounded to $decimals, offenses at one spot merged, sensitive offenses left out.
with scoped as (
    select round(i.lat, $decimals) as lat, round(i.lon, $decimals) as lon,
           o.name as offense, i.occurred_at::date as day
    from incidents i join offenses o using (nibrs_code)
    where {{ where }} and i.lat is not null and i.lon is not null and not o.sensitive
),

final as (
    select lat, lon, count(*)::bigint as n,
           string_agg(distinct offense, ', ' order by offense) as offenses,
           min(day) as first_day, max(day) as last_day
    from scoped
    group by lat, lon
)

select * from final order by n desc, lat, lon
