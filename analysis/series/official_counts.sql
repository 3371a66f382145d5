-- Monthly official count and rate per 100k for each city and offense of a filter
-- (analysis.series.rates.counts_by_city_month).
with scoped as (
    select city_id, month, offense, count, source
    from official_monthly
    where {{ where }}
),

final as (
    select s.city_id, c.name as city, s.month, s.offense, s.count, s.source,
           p.population,
           -- count is INTEGER: multiply as a double, or a city-month above 21,474 offenses
           -- overflows INT32 (Houston property crime at scale 20).
           s.count * $rate_base::double / p.population as rate
    from scoped s
    join cities c using (city_id)
    left join city_population p on p.city_id = s.city_id and p.year = year(s.month)
)

select * from final order by city, offense, month
