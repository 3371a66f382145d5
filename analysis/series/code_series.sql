-- One city's (or district's) monthly counts of an offense from the month x code rollup
-- (analysis.series.city_series: district series).
with scoped as (
    select month, source, sum(n) as count
    from monthly_code_counts
    where {{ where }}
    group by all
),

final as (
    select month, source, count::bigint as count from scoped
)

select * from final order by source, month
