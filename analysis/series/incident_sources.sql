-- The one incident extract per city (analysis.series.provenance.incident_sources): a
-- citywide extract before an area one, then more complete months, more offenses, the name.
with src as (
    select city_id, source, sum(n) as n
    from incident_months
    where {{ where_months }}
    group by all
),

weapons as (
    -- extracts that record the weapon for violent offenses
    select distinct city_id, source
    from monthly_code_counts
    where offense_group = 'violent' and firearm is not null and {{ where_codes }}
),

final as (
    select s.city_id, s.source
    from src s left join source_spans p using (city_id, source)
    where not $firearm or exists (select 1 from weapons w where w.city_id = s.city_id and w.source = s.source)
    qualify row_number() over (
        partition by s.city_id
        order by coalesce(p.coverage, 'area') = 'city' desc, p.last_month - p.first_month desc nulls last,
                 s.n desc, s.source) = 1
)

select * from final
