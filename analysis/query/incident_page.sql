-- One page of incidents, newest first (analysis.query.profile.incident_page): the page
-- first, on incidents alone; names and privacy rules only for its rows.
with page as (
    select i.incident_id, i.occurred_at, i.offense, i.nibrs_code, i.district, i.firearm,
           i.lat, i.lon, i.source_id
    from incidents i
    where {{ where }}
    order by i.occurred_at desc, i.incident_id desc
    limit $limit offset $offset
),

final as (
    select p.occurred_at, coalesce(o.name, p.offense) as offense, p.nibrs_code, p.district,
           case when p.firearm then 'yes' when not p.firearm then 'no' else 'not recorded' end as firearm,
           case when o.sensitive is not false then null else round(p.lat, $decimals) end as lat,
           case when o.sensitive is not false then null else round(p.lon, $decimals) end as lon,
           p.source_id, p.incident_id
    from page p left join offenses o using (nibrs_code)
)

select * exclude (incident_id) from final order by occurred_at desc, incident_id desc
