-- 0006: weekly counts for the Trends page's weekly view, so that it reads a table with
-- a seventh of the daily rollup's days (weeks of a district still come from daily_counts,
-- which has the district). Weeks are ISO weeks: `week` is the Monday.
-- Maintained by ingest.rollups.rebuild_rollups through the macro below, like 0004's.

create table weekly_counts (
    city_id        varchar not null,
    week           date not null,             -- Monday of the ISO week
    nibrs_code     varchar,                   -- null when the local code is unmapped
    offense_group  varchar not null,
    firearm        boolean,
    source         varchar not null,
    n              integer not null
);

create macro weekly_counts_of(sources) as table
    select city_id, date_trunc('week', day)::date as week, nibrs_code, offense_group, firearm,
           source, sum(n)::integer as n
    from daily_counts
    where source in (select unnest(sources))
    group by all
    order by city_id, nibrs_code, week;

insert into weekly_counts
select * from weekly_counts_of((select coalesce(list(distinct source), []) from daily_counts));
