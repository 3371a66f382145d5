-- One city's district polygons, from the source whose names best match the incident
-- districts (ties: alphabetical) (analysis.geo.districts.district_shapes).
with named as (
    select distinct district from monthly_code_counts where city_id = $city
),

ranked as (
    select d.source, count(n.district) as matched
    from districts d left join named n using (district)
    where d.city_id = $city
    group by d.source
),

final as (
    select d.district, d.kind, d.source, d.geometry_wkt
    from districts d
    where d.city_id = $city
      and d.source = (select source from ranked order by matched desc, source limit 1)
)

select * from final order by district
