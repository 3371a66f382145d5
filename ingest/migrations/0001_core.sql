-- 0001: the core schema. Public surface (documented in README.md): cities,
-- city_population, offenses, weapons, incidents, daily_counts, monthly_counts,
-- imports, quarantine, districts, city_boundaries, store_info.

create table cities (
    city_id          varchar primary key,   -- lowercase slug with the state: memphis_tn
    name             varchar not null,
    state            varchar not null,      -- USPS code
    state_name       varchar not null,
    census_geoid     varchar not null unique,
    land_area_sq_km  double,
    rep_lat          double not null,
    rep_lon          double not null,
    bbox_min_lon     double not null,
    bbox_min_lat     double not null,
    bbox_max_lon     double not null,
    bbox_max_lat     double not null,
    population       integer,               -- latest known population (see city_population)
    rtci_agency      varchar,
    timezone         varchar not null
);

create table city_population (
    city_id     varchar not null,
    year        integer not null,
    population  integer not null,
    method      varchar not null,           -- census | interpolated | estimate | carried
    source      varchar not null,
    primary key (city_id, year)
);

create table offenses (
    nibrs_code     varchar primary key,
    name           varchar not null,
    crime_against  varchar not null,        -- person | property | society | not_a_crime
    nibrs_group    varchar not null,        -- A | B
    part1_offense  varchar,                 -- murder, rape, ... or null
    offense_group  varchar not null,        -- violent | property | other
    sensitive      boolean not null         -- sex offenses: never drawn as points
);

create table weapons (
    weapon_code  varchar primary key,
    name         varchar not null,
    firearm      boolean not null
);

create table imports (
    import_id       integer primary key,
    source          varchar not null,
    kind            varchar not null,       -- demo | incidents | monthly | geography | registry
    location        varchar,                -- file path or URL
    content_sha256  varchar,
    started_at      timestamp not null,
    finished_at     timestamp,
    rows_read       bigint,
    rows_accepted   bigint,
    rows_quarantined bigint,
    rows_duplicate  bigint,
    note            varchar
);

create table quarantine (
    import_id  integer not null,
    source     varchar not null,
    line       bigint,                       -- 1-based line in the source file, header = 1
    reason     varchar not null,
    raw        varchar                       -- the rejected record as text
);

-- One row per offense (NIBRS counts up to ten offenses per incident).
-- occurred_at / reported_at are local wall-clock time of the city.
create table incidents (
    incident_id    bigint not null,          -- unique in the store
    city_id        varchar not null,
    occurred_at    timestamp,
    reported_at    timestamp,
    nibrs_code     varchar,                  -- null when the local code is unmapped
    offense        varchar,                  -- NIBRS offense name, or the local text when unmapped
    local_offense  varchar,                  -- the source's own code or description
    part1_offense  varchar,
    offense_group  varchar not null,         -- violent | property | other
    crime_against  varchar,
    firearm        boolean,                  -- null when the source does not say
    lat            double,
    lon            double,
    h3_r9          ubigint,                  -- H3 cell (resolution 9) of (lat, lon)
    district       varchar,
    source         varchar not null,         -- 'demo' for the synthetic dataset
    source_id      varchar,                  -- the record's id at the source
    import_id      integer
);

-- Rollups maintained by ingestion so that pages never scan incidents.
create table daily_counts (
    city_id     varchar not null,
    day         date not null,
    nibrs_code  varchar,
    offense_group varchar not null,
    firearm     boolean,
    district    varchar,
    source      varchar not null,
    n           integer not null
);

-- FBI Part I monthly counts: rolled up from incidents, or imported where a city has
-- only published aggregates. offense in: murder, rape, robbery, aggravated_assault,
-- burglary, theft, motor_vehicle_theft, violent_crime, property_crime.
create table monthly_counts (
    city_id  varchar not null,
    month    date not null,                  -- first day of the month
    offense  varchar not null,
    count    integer not null,
    source   varchar not null,
    primary key (city_id, month, offense, source)
);

create table districts (
    city_id       varchar not null,
    district      varchar not null,
    kind          varchar not null,           -- precinct | council district | demo
    source        varchar not null,
    geometry_wkt  varchar not null,           -- WGS84
    primary key (city_id, district, source)
);

create table city_boundaries (
    city_id       varchar not null,
    source        varchar not null,
    geometry_wkt  varchar not null,
    primary key (city_id, source)
);

create table store_info (
    key    varchar primary key,
    value  varchar not null
);
