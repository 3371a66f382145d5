-- 0004: rollups for the Map and City profile pages, so that their queries never scan
-- incidents (the paged incident table is the one exception).
--
-- Each rollup is defined ONCE, as a table macro over a list of sources: the backfill at
-- the end of this file (for a store migrated with data already in it) and
-- ingest.rollups.rebuild_rollups (after every import) both insert from these macros.
-- Rows are written ordered by city, NIBRS code and month so that DuckDB's per-row-group
-- min/max statistics skip most of a table for a one-city, one-offense-group query.
-- Offenses without an occurrence date cannot be placed in a month and are left out.

-- city x month x NIBRS code x firearm x district x source: offense mix, district table.
create table monthly_code_counts (
    city_id        varchar not null,
    month          date not null,             -- first day of the month
    nibrs_code     varchar,                   -- null when the local code is unmapped
    offense_group  varchar not null,
    firearm        boolean,
    district       varchar,
    source         varchar not null,
    n              integer not null
);

-- ... x H3 cell: maps and hot spots. Cells are resolution 9 (about 0.1 km2); coarser
-- cells are their parents, computed in SQL with bit operations (analysis/geo/cells.py).
create table cell_counts (
    city_id     varchar not null,
    month       date not null,
    nibrs_code  varchar,
    firearm     boolean,
    district    varchar,
    h3_r9       ubigint,                      -- null: the offense has no location
    source      varchar not null,
    n           integer not null
);

-- The same by calendar year: a map of several years reads whole years from here and
-- only the months around them from cell_counts (a third of the rows to scan).
create table yearly_cell_counts (
    city_id     varchar not null,
    year        date not null,                -- 1 January of the year
    nibrs_code  varchar,
    firearm     boolean,
    district    varchar,
    h3_r9       ubigint,
    source      varchar not null,
    n           integer not null
);

-- ... x weekday x hour: the hour x weekday heat map.
create table hour_counts (
    city_id      varchar not null,
    month        date not null,
    nibrs_code   varchar,
    firearm      boolean,
    district     varchar,
    weekday      tinyint not null,            -- ISO: 1 = Monday ... 7 = Sunday
    hour         tinyint not null,            -- 0-23, local time
    at_midnight  boolean not null,            -- recorded at exactly 00:00:00 (often: time unknown)
    time_known   boolean not null,            -- incidents.time_known (0002): false = date only
    source       varchar not null,
    n            integer not null
);

create macro monthly_code_counts_of(sources) as table
    select city_id, date_trunc('month', day)::date as month, nibrs_code, offense_group,
           firearm, district, source, sum(n)::integer as n
    from daily_counts
    where source in (select unnest(sources))
    group by all
    order by city_id, nibrs_code, month;

create macro cell_counts_of(sources) as table
    select city_id, date_trunc('month', occurred_at)::date as month, nibrs_code, firearm,
           district, h3_r9, source, count(*)::integer as n
    from incidents
    where source in (select unnest(sources)) and occurred_at is not null
    group by all
    order by city_id, nibrs_code, month;

-- From incidents, not from cell_counts: DuckDB 2.0.0 returned no rows when aggregating
-- cell_counts in the same transaction that had just written millions of rows into it.
create macro yearly_cell_counts_of(sources) as table
    select city_id, date_trunc('year', occurred_at)::date as year, nibrs_code, firearm,
           district, h3_r9, source, count(*)::integer as n
    from incidents
    where source in (select unnest(sources)) and occurred_at is not null
    group by all
    order by city_id, nibrs_code, year;

create macro hour_counts_of(sources) as table
    select city_id, date_trunc('month', occurred_at)::date as month, nibrs_code, firearm,
           district, isodow(occurred_at)::tinyint as weekday, hour(occurred_at)::tinyint as hour,
           cast(occurred_at as time) = time '00:00:00' as at_midnight,
           coalesce(time_known, true) as time_known, source, count(*)::integer as n
    from incidents
    where source in (select unnest(sources)) and occurred_at is not null
    group by all
    order by city_id, nibrs_code, month;

-- Backfill a store that already holds incidents (daily_counts is maintained since 0001).
insert into monthly_code_counts
select * from monthly_code_counts_of((select coalesce(list(distinct source), []) from daily_counts));
insert into cell_counts
select * from cell_counts_of((select coalesce(list(distinct source), []) from incidents));
insert into yearly_cell_counts
select * from yearly_cell_counts_of((select coalesce(list(distinct source), []) from incidents));
insert into hour_counts
select * from hour_counts_of((select coalesce(list(distinct source), []) from incidents));
