-- Monthly firearm-involved violent crime per city from one chosen extract each
-- (analysis.series.city_series.firearm_violent_by_city_month).
with chosen as (
    select unnest($chosen_cities::varchar[]) as city_id, unnest($chosen_sources::varchar[]) as source
),

scoped as (
    select city_id, month, source, sum(n) as count
    from monthly_code_counts
    where {{ where }} and (city_id, source) in (select (city_id, source) from chosen)
    group by all
),

final as (
    select s.city_id, c.name as city, s.month, $offense::varchar as offense, s.count::bigint as count,
           s.source, p.population, s.count * $rate_base / p.population as rate
    from scoped s
    join cities c using (city_id)
    left join city_population p on p.city_id = s.city_id and p.year = year(s.month)
)

select * from final order by city, month
