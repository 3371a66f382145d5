-- The districts with incident data in a city (analysis.query.registry.district_names).
with final as (
    select distinct district
    from monthly_code_counts
    where {{ where }} and district is not null
)

select * from final order by district
