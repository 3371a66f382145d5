-- One row per city x source (analysis.sources.health.coverage_by_source).
with months as (
{{ source_kinds }}
),

standards as (
    select source, arg_max(standard, import_id) as standard, arg_max_null(part1_scope, import_id) as part1_scope,
           max(finished_at) as last_import
    from imports where finished_at is not null group by source
),

quarantined as (
    select source, city_id, count(*) filter (where not kept) as quarantined,
           count(*) filter (where kept) as kept_unmapped
    from quarantine group by all
),

final as (
    select m.city_id, c.name, m.source, m.kind, any_value(sp.coverage) as coverage, s.standard,
           any_value(s.part1_scope) as part1_scope,
           any_value(m.date_basis) as date_basis,
           min(m.month) as first_month, max(m.month) as last_month,
           count(*) as months_with_data,
           datediff('month', min(m.month), max(m.month)) + 1 - count(*) as months_missing,
           sum(m.rows)::bigint as rows,
           sum(m.geocoded) / nullif(sum(m.rows) filter (where m.kind = 'incidents'), 0) as geocoded_share,
           coalesce(any_value(q.quarantined), 0)::bigint as quarantined,
           coalesce(any_value(q.kept_unmapped), 0)::bigint as kept_unmapped,
           any_value(sp.first_month) as first_complete_month,
           any_value(sp.last_month) as last_complete_month,
           any_value(s.last_import) as last_import
    from months m
    join cities c using (city_id)
    left join standards s using (source)
    left join source_spans sp on sp.city_id = m.city_id and sp.source = m.source
    left join quarantined q on q.source = m.source and q.city_id = m.city_id
    group by m.city_id, c.name, m.source, m.kind, s.standard
)

select * from final order by name, first_month, source
