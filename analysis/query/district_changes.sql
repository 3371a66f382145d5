-- Per district: a window against the same months a year before
-- (analysis.query.profile.district_changes).
with scoped as (
    select district, month, n
    from monthly_code_counts
    where {{ where }}
),

final as (
    select coalesce(district, 'Not recorded') as district,
           coalesce(sum(n) filter (where month >= $window_start), 0)::bigint as current,
           coalesce(sum(n) filter (where month <= $prior_end), 0)::bigint as previous
    from scoped group by all
)

select * from final
