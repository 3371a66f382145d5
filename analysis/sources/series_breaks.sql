-- Series breaks per city (analysis.sources.health.series_breaks).
with source_kinds as (
{{ source_kinds }}
),

months_src as (select * from source_kinds where kind <> 'area counts'),

standards as (select source, arg_max(standard, import_id) as standard from imports group by source),

per_month as (
    select m.city_id, m.month, (m.kind = 'incidents') as incident_side,
           string_agg(distinct m.source, ', ' order by m.source) as sources,
           string_agg(distinct s.standard, ', ' order by s.standard) as standards,
           string_agg(distinct m.date_basis, ', ' order by m.date_basis) as date_basis
    from months_src m left join standards s using (source)
    group by all
),

lagged as (
    select *, lag(sources) over w as prev_sources, lag(standards) over w as prev_standards,
           lag(date_basis) over w as prev_basis, lag(month) over w as prev_month
    from per_month
    window w as (partition by city_id, incident_side order by month)
),

changes as (
    select city_id, month, incident_side, 'source change' as kind, prev_sources as before, sources as after,
           null::varchar as offense
    from lagged where prev_sources is not null and sources <> prev_sources
    union all
    select city_id, month, incident_side, 'reporting standard change',
           prev_standards, standards, null
    from lagged where prev_standards is not null and standards is not null and standards <> prev_standards
    union all
    select city_id, month, incident_side, 'date basis change', prev_basis, date_basis, null
    from lagged where prev_basis is not null and date_basis is not null and date_basis <> prev_basis
    union all
    -- Breaks a source's mapping declares (e.g. the FBI's 2013 rape definition), where the
    -- city has that source's counts on both sides of the month.
    select b.city_id, b.month, false, b.kind || ': ' || b.offense || ' (' || b.source || ')', b.before, b.after,
           b.offense
    from source_breaks b
    where exists (select 1 from monthly_counts m where m.source = b.source and m.city_id = b.city_id
                  and m.offense = b.offense and m.month < b.month)
      and exists (select 1 from monthly_counts m where m.source = b.source and m.city_id = b.city_id
                  and m.offense = b.offense and m.month >= b.month)
),

final as (
    select ch.city_id, c.name, ch.month,
           case when ch.incident_side then 'incidents' else 'counts' end as data, ch.kind, ch.before, ch.after,
           ch.offense
    from changes ch join cities c using (city_id)
)

select * from final order by name, month, data, kind
