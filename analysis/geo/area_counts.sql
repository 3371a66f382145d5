-- Published counts of one category per small area: the current months against the
-- months before (analysis.geo.choropleth.area_map).
with scoped as (
    select area, month, count from area_counts
    where city_id = $city and area_kind = $kind and category = $category
),

final as (
    select area as name,
           coalesce(sum(count) filter (where month between $start and $end), 0)::bigint as current,
           coalesce(sum(count) filter (where month between $prior_start and $prior_end), 0)::bigint
               as previous
    from scoped group by all
)

select * from final order by name
