-- Offenses per district (analysis.geo.districts.counts_by_district; a null district = not
-- recorded). Slot: the WHERE body rendered by CrimeFilter.bind.
with scoped as (
    select district, n from monthly_code_counts where {{ where }}
),

final as (
    select district, sum(n)::bigint as n from scoped group by district
)

select * from final order by n desc, district
