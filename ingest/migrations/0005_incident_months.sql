-- 0005: city x source x month summary of the incident table, for the data-health and
-- coverage look-ups (Data page, period cuts, series-break markers on trend charts).
-- Those used to group the whole incidents table (or the daily rollup) on every rerun;
-- this table has a few thousand rows whatever the number of incidents.
-- Maintained by ingest.rollups.rebuild_rollups through the macro below, like 0004's.
-- Offenses without an occurrence date cannot be placed in a month and are left out
-- (as in daily_counts: `n` here adds up to daily_counts' n per city, source, month).

create table incident_months (
    city_id     varchar not null,
    source      varchar not null,
    month       date not null,                -- first day of the month
    n           bigint not null,              -- offenses (n, as in the other rollups)
    geocoded    bigint not null,              -- offenses with coordinates
    no_time     bigint not null,              -- offenses recorded with a date only
    date_basis  varchar,                      -- incidents.date_basis (0002), any one of the month's
    first_day   date not null,
    last_day    date not null
);

create macro incident_months_of(sources) as table
    select city_id, source, date_trunc('month', occurred_at)::date as month,
           count(*) as n, count(lat) as geocoded,
           count(*) filter (where not coalesce(time_known, true)) as no_time,
           any_value(date_basis) as date_basis,
           min(occurred_at)::date as first_day, max(occurred_at)::date as last_day
    from incidents
    where source in (select unnest(sources)) and occurred_at is not null
    group by all
    order by city_id, source, month;

insert into incident_months
select * from incident_months_of((select coalesce(list(distinct source), []) from incidents));
