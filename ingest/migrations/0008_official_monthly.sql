-- 0008: one official count per city x month x offense (analysis/series/official.py decides which).
--
-- imports.coverage: what the mapping says the source covers, 'city' (the whole city) or
-- 'area' (a district, a set of ZIP codes, ...). Only 'city' sources feed citywide
-- counts. NULL (imports logged before 0008, and stores built by code rather than a
-- mapping) keeps the meaning it had: the whole city, every Part I offense unless
-- part1_scope says otherwise.
alter table imports add column coverage varchar;

-- Every monthly_counts row with its verdict: does it qualify as the city's count for
-- that month and offense, at which precedence rank, and was it chosen. Rebuilt with
-- official_monthly after every write (ingest.store.write_store).
create table official_candidates (
    city_id    varchar not null,
    month      date not null,
    offense    varchar not null,
    source     varchar not null,
    count      integer,                 -- null: the source does not report the month
    kind       varchar not null,        -- 'return_a' | 'rtci' | 'incidents' | 'counts'
    rank       integer,                 -- precedence rank (1 = first); null when it does not qualify
    qualifies  boolean not null,
    reason     varchar not null,        -- why it qualifies, or why not
    chosen     boolean not null            -- one row per city x month x offense x source (no index:
                                           -- rebuilt whole at every write, a key would only slow it)
);

create table official_monthly (
    city_id     varchar not null,
    month       date not null,          -- first day of the month
    offense     varchar not null,       -- the nine monthly_counts offenses
    count       integer not null,
    source      varchar not null,
    kind        varchar not null,       -- 'return_a' | 'rtci' | 'incidents' | 'counts'
    rank        integer not null,       -- precedence rank of the chosen source
    reason      varchar not null,       -- e.g. 'FBI Return A (rank 1)'
    alternatives integer not null       -- other qualifying sources for the same cell
                                        -- (one row per city x month x offense; no index, as above)
);

-- The months each city x source covers completely (analysis/series/official.py, SPANS_SQL): an
-- incident extract from its first whole month to its last whole month (the stray months
-- of late reports before it are not a start), published counts from their first to their
-- last month. The one place "last complete month" is decided.
create table source_spans (
    city_id      varchar not null,
    source       varchar not null,
    kind         varchar not null,      -- 'incidents' | 'counts'
    coverage     varchar not null,      -- 'city' | 'area' (the mapping's [source] coverage)
    first_month  date not null,
    last_month   date not null          -- first day of the last complete month
);
