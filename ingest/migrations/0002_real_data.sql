-- 0002: real-data imports (ingest/importer.py). What the public city files need that
-- the synthetic demo did not: how good each row's date is, which polygon layer gave
-- its district, why a row was quarantined, totals derived from their components,
-- counts by small area, year-to-date counts, each import's reporting standard, and
-- where aggregators get each city's figures.

-- incidents: false when the source gave only a date (occurred_at is then 00:00), so
-- hour-of-day views can leave such rows out.
alter table incidents add column time_known boolean default true;
-- incidents: which date occurred_at holds: 'occurred' (offense date) or 'reported'
-- (the source publishes only the report date, e.g. the KCPD 2020 extract).
alter table incidents add column date_basis varchar default 'occurred';
-- incidents: districts.source of the polygon layer the district came from by spatial
-- join; null when the district is the source's own column (or there is none).
alter table incidents add column district_layer varchar;

-- quarantine: the source column at fault, and whether the row was kept anyway (an
-- unknown offense code is stored in incidents as unmapped AND listed here); the row's
-- city and month where they could be read (data health per city x month).
alter table quarantine add column field varchar;
alter table quarantine add column kept boolean default false;
alter table quarantine add column city_id varchar;
alter table quarantine add column month date;

-- monthly_counts: null, or why the value is not the source's own figure, e.g.
-- 'derived: sum of components; the source left the total empty'.
alter table monthly_counts add column flag varchar;

-- imports: reporting standard of the offense data ('NIBRS', 'SRS'; null for geography)
-- and rows left out as out of scope (e.g. RTCI agencies that are not PSP cities).
alter table imports add column standard varchar;
alter table imports add column rows_skipped bigint;
-- imports: the FBI Part I offenses an incident extract covers completely (null = all).
-- The monthly rollup of the source leaves the others out, and a violent/property total
-- unless all its parts are covered (a burglary-only extract has no property_crime).
alter table imports add column part1_scope varchar[];

-- Published counts by small area (e.g. ZCTA) and the publisher's own crime category,
-- kept whole: categories that map honestly to an FBI Part I offense are also summed
-- into monthly_counts; the others stay here only (never silently dropped).
create table area_counts (
    city_id     varchar not null,
    month       date not null,
    area_kind   varchar not null,            -- zcta | ...
    area        varchar not null,
    category    varchar not null,            -- the publisher's category, e.g. 'homicide'
    offense     varchar,                     -- the Part I offense it maps to, or null
    count       integer not null,
    source      varchar not null,
    import_id   integer,
    primary key (source, city_id, month, area_kind, area, category)
);

-- Counts over a period that is not a calendar month, e.g. the Real-Time Crime Index
-- year-to-date table (Jan 1 to the end of the latest month, and the same period a year
-- before). offense uses the monthly_counts vocabulary.
create table period_counts (
    city_id       varchar not null,
    offense       varchar not null,
    period_start  date not null,
    period_end    date not null,             -- inclusive
    count         integer not null,
    source        varchar not null,
    import_id     integer,
    primary key (source, city_id, offense, period_start, period_end)
);

-- Where an aggregator gets each city's figures, e.g. the RTCI sources table: the upstream
-- (state UCR program, FBI Crime Data Explorer, the agency's own system), its link, the
-- latest month it covers and the population the aggregator uses.
create table agency_sources (
    city_id            varchar not null,
    agency             varchar not null,
    source_type        varchar,
    source_method      varchar,
    source_link        varchar,
    most_recent_month  date,
    population         integer,
    as_of              date,
    source             varchar not null,
    import_id          integer,
    primary key (source, city_id)
);
