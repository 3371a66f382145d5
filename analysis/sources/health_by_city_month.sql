-- One row per city x month inside its span (analysis.sources.health.health_by_city_month).
with months_src as (
{{ source_kinds }}
),

inc as (
    select city_id, month, sum(rows)::bigint as incidents, sum(geocoded) / sum(rows) as geocoded_share,
           sum(no_time)::bigint as no_time,
           string_agg(distinct source, ', ' order by source) as incident_sources
    from months_src where kind = 'incidents' group by all
),

cnt as (
    select city_id, month, string_agg(distinct source, ', ' order by source) as count_sources
    from months_src where kind <> 'incidents' group by all
),

flags as (
    select city_id, month, count(*) as derived_counts from monthly_counts where flag like 'derived%' group by all
),

q as (
    select city_id, month, count(*) as quarantined from quarantine
    where not kept and city_id is not null and month is not null group by all
),

span as (
    select city_id, min(month) as first_month, max(month) as last_month from months_src group by city_id
),

grid as (
    select city_id, unnest(generate_series(first_month, last_month, interval 1 month))::date as month from span
),

official as (
    select city_id, month, string_agg(distinct source, ', ' order by source) as official_sources
    from official_monthly group by all
),

final as (
    select g.city_id, c.name, g.month,
           coalesce(i.incidents, 0) as incidents, i.incident_sources, i.geocoded_share,
           coalesce(i.no_time, 0) as no_time, n.count_sources,
           coalesce(f.derived_counts, 0) as derived_counts,
           coalesce(q.quarantined, 0) as quarantined,
           (i.city_id is not null or n.city_id is not null) as has_data,
           exists (select 1 from source_spans s where s.city_id = g.city_id
                   and g.month between s.first_month and s.last_month) as complete,
           o.official_sources
    from grid g
    join cities c using (city_id)
    left join inc i using (city_id, month)
    left join cnt n using (city_id, month)
    left join flags f using (city_id, month)
    left join q using (city_id, month)
    left join official o using (city_id, month)
)

select * from final order by name, month
