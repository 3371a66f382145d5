-- City x source x month rows of every kind of data: incidents (migration 0005's summary,
-- not the incidents), monthly counts and area counts (analysis.sources.health).
with inc as (
    -- migration 0005's city x source x month summary of incidents (not the incidents).
    select city_id, source, 'incidents' as kind, month, n as rows, geocoded, no_time, date_basis, last_day
    from incident_months
),

cnt as (
    select city_id, source, 'monthly counts' as kind, month, count(*) as rows, null::bigint as geocoded,
           null::bigint as no_time, null::varchar as date_basis, last_day(month) as last_day
    from monthly_counts where source not in (select distinct source from incident_months) group by all
    union all
    select city_id, source, 'area counts', month, count(*), null, null, null, last_day(month)
    from area_counts where source not in (select distinct source from monthly_counts) group by all
),

final as (select * from inc union all select * from cnt)

select * from final
