-- Offenses per weekday x hour (analysis.query.profile.counts_by_hour_weekday).
with scoped as (
    select weekday, hour, at_midnight, time_known, n
    from hour_counts
    where {{ where }}
),

final as (
    select weekday, hour,
           coalesce(sum(n) filter (where time_known), 0)::bigint as n,
           coalesce(sum(n) filter (where time_known and at_midnight), 0)::bigint as at_midnight,
           coalesce(sum(n) filter (where not time_known), 0)::bigint as date_only
    from scoped group by weekday, hour
)

select * from final
