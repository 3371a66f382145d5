-- Every offense of one city in a window and the same months a year before
-- (analysis.query.profile.offense_mix).
with scoped as (
    select nibrs_code, offense_group, month, n
    from monthly_code_counts
    where {{ where }}
),

final as (
    select s.nibrs_code, coalesce(o.name, 'Unmapped local codes') as offense, s.offense_group,
           coalesce(sum(s.n) filter (where s.month >= $window_start), 0)::bigint as current,
           coalesce(sum(s.n) filter (where s.month <= $prior_end), 0)::bigint as previous
    from scoped s left join offenses o using (nibrs_code)
    group by all
)

select * from final order by current desc, previous desc, offense
