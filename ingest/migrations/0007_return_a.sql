-- 0007: what the FBI Return A files (and any published monthly counts) need beyond
-- monthly_counts: the copies of a month a source listed twice and that were not chosen,
-- the months a source did not report, the agency population the publisher used, series
-- breaks a mapping declares, and each source's own description.

-- A month a source lists more than once (two releases of the same figures) is never
-- summed: the mapping's [counts.duplicates] rule keeps one copy in monthly_counts and
-- every other copy lands here, queryable beside the chosen one.
create table superseded_counts (
    city_id     varchar not null,
    month       date not null,
    offense     varchar not null,
    count       integer,
    source      varchar not null,
    copy        integer not null,             -- 1 = the month's first row in the file, 2 = the second ...
    chosen_copy integer not null,             -- the copy monthly_counts holds
    reason      varchar not null,             -- the rule that set this copy aside
    import_id   integer,
    primary key (source, city_id, month, offense, copy)
);

-- Per source x city x month: did the source report the month? 'reported', 'not reported'
-- (a blank row or a row of zeros: the agency sent nothing, which is not 0 offenses) or
-- 'not in file' (a month inside the file's span with no row at all). offenses_missing:
-- offenses the mapping says a zero does not mean none for (e.g. Toledo theft 2010-14).
create table source_months (
    source           varchar not null,
    city_id          varchar not null,
    month            date not null,
    status           varchar not null,        -- reported | not reported | not in file
    reason           varchar,
    offenses_missing varchar[],
    import_id        integer,
    primary key (source, city_id, month)
);

-- The population a publisher used for an agency (e.g. the FBI's Return A agency
-- population), per calendar year. Kept beside city_population (Census), never in it.
create table agency_population (
    city_id     varchar not null,
    year        integer not null,
    population  integer not null,
    source      varchar not null,
    import_id   integer,
    primary key (source, city_id, year)
);

-- Series breaks a mapping declares because the data cannot show them, e.g. the FBI's
-- 2013 change from the legacy to the revised rape definition. One row per city the
-- source covers; series_breaks() lists them with the detected ones.
create table source_breaks (
    source      varchar not null,
    city_id     varchar not null,
    month       date not null,
    offense     varchar not null,
    kind        varchar not null,
    before      varchar,
    after       varchar,
    note        varchar,
    primary key (source, city_id, month, offense, kind)
);

-- What each source is, from its mapping's [source] table (title, publisher, note), as of
-- its latest import: shown on the Data page and by `ingest status`.
create table source_info (
    source      varchar primary key,
    kind        varchar,
    title       varchar,
    publisher   varchar,
    note        varchar,
    standard    varchar,
    mapping     varchar,
    import_id   integer
);
