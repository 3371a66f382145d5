-- NIBRS codes of a filter's offense that occur in it (analysis.query.profile.offense_codes).
with final as (
    select m.nibrs_code, o.name as offense, sum(m.n)::bigint as n
    from monthly_code_counts m join offenses o using (nibrs_code)
    where {{ where }}
    group by all
)

select * from final order by n desc, nibrs_code
