-- 0003: measurable goals and interventions (issue #5).
--
-- A goal is a ceiling on a count: "at most baseline x (1 + target_change_pct / 100)
-- over start_date .. deadline", tracked by whole calendar months. The baseline is one
-- calendar year or the mean of several; its own monthly profile spreads the target over
-- the goal period (analysis/goals/progress.py). Rows are written only through ingest/goals.py,
-- which validates them against the data (city, offense, baseline years with data).

create table goals (
    goal_id            integer primary key,
    city_id            varchar not null,
    district           varchar,              -- null = the whole city
    offense            varchar not null,     -- monthly_counts offense key or firearm_violent_crime
    baseline_kind      varchar not null check (baseline_kind in ('year', 'mean_of_years')),
    baseline_year      integer,              -- kind 'year'
    baseline_years     integer[],            -- kind 'mean_of_years'
    target_change_pct  double not null check (target_change_pct between -90 and 100),
    start_date         date not null,
    deadline           date not null,
    owner              varchar,
    note               varchar,
    created_at         timestamp not null,
    source             varchar not null check (source in ('demo', 'user', 'file')),
    check (deadline >= start_date),
    check ((baseline_kind = 'year' and baseline_year is not null)
        or (baseline_kind = 'mean_of_years' and len(baseline_years) >= 2))
);

-- Programmes and strategies whose start a trend chart marks and an interrupted time
-- series can test. end_date and area are optional (null = ongoing / whole city).
create table interventions (
    intervention_id  integer primary key,
    city_id          varchar not null,
    name             varchar not null,
    start_date       date not null,
    end_date         date,
    area             varchar,
    note             varchar,
    source           varchar not null check (source in ('seed', 'user', 'file')),
    check (end_date is null or end_date >= start_date)
);

-- Seeds. PSP: the Attorney General named the 12 sites on 20 June 2017 (US DOJ Office of
-- Public Affairs, "Attorney General Sessions Announces Creation of National Public Safety
-- Partnership to Combat Violent Crime"). Operation Relentless Pursuit: announced
-- 18 December 2019 for seven cities, among them Kansas City and Memphis (US DOJ press
-- release of that day).
insert into interventions
select row_number() over (order by city_id)::integer, city_id,
       'PSP designation', date '2017-06-20', null, null,
       'National Public Safety Partnership site named by the US Attorney General (DOJ press release, 20 June 2017).',
       'seed'
from (values ('birmingham_al'), ('indianapolis_in'), ('memphis_tn'), ('toledo_oh'),
             ('baton_rouge_la'), ('buffalo_ny'), ('cincinnati_oh'), ('houston_tx'),
             ('jackson_tn'), ('kansas_city_mo'), ('lansing_mi'), ('springfield_il')) as t(city_id);

insert into interventions values
    (13, 'kansas_city_mo', 'Operation Relentless Pursuit', date '2019-12-18', null, null,
     'Federal surge of ATF, DEA, FBI and US Marshals resources into seven cities (DOJ press release, 18 December 2019).',
     'seed'),
    (14, 'memphis_tn', 'Operation Relentless Pursuit', date '2019-12-18', null, null,
     'Federal surge of ATF, DEA, FBI and US Marshals resources into seven cities (DOJ press release, 18 December 2019).',
     'seed');
