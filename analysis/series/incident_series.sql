-- Complete periods per city x offense, counted from one qualifying incident extract
-- (analysis.series.monthly.period_series). Slots hold only allow-listed text: filter
-- clauses rendered by CrimeFilter.bind, the rollup table and the period unit's expressions.
with {{ coverage }},

wanted as (
    select unnest($offenses::varchar[]) as offense, unnest($totals::varchar[]) as total
),

holds as (
    select distinct city_id, source, offense from official_candidates
    where kind = 'incidents' and qualifies and {{ where_any }}
),

code_map as (
    select o.nibrs_code, w.offense
    from offenses o
    join wanted w on o.part1_offense is not null
        and (w.offense = o.part1_offense or w.offense = o.offense_group || '_crime')
),

-- firearm views: the extracts that record the weapon for most of the group's offenses in
-- the filter's months (where_weapon is `false` for other views: nothing to scan)
weapon_recorded as (
    select d.city_id, d.source, d.offense_group || '_crime' as total
    from monthly_code_counts d
    where {{ where_weapon }}
    group by all
    having sum(d.n) filter (where d.firearm is not null) >= $known_share * sum(d.n)
),

rollup as (
    select d.city_id, {{ period }} as period, d.nibrs_code, d.source, d.n
    from {{ counts_table }} d
    where {{ where_counts }} and d.nibrs_code in (select nibrs_code from code_map)
),

-- an extract stands for an offense where the official rules hold it as qualifying
candidates as (
    select v.city_id, w.offense, v.source, v.kind,
           greatest(v.first_month, coalesce($start::date, v.first_month)) as lo,
           least(last_day(v.last_month), coalesce($end::date, last_day(v.last_month))) as hi,
           v.first_month, v.last_month
    from coverage v
    cross join wanted w
    join holds h on h.city_id = v.city_id and h.source = v.source and h.offense = w.offense
    where v.kind = 'incidents' and (not $firearm_only or exists (
        select 1 from weapon_recorded r where r.city_id = v.city_id and r.source = v.source and r.total = w.total
    ))
),

-- of several, the official precedence's tie-break
chosen as (
    select * from candidates where {{ first_period }} <= {{ last_period }}
    qualify row_number() over (partition by city_id, offense order by {{ order }}) = 1
),

grid as (
    select city_id, offense, source, kind,
           unnest(generate_series({{ first_period }}, {{ last_period }}, interval {{ step }}))::date as period
    from chosen
),

counts as (
    select r.city_id, r.period, m.offense, r.source, sum(r.n) as count
    from rollup r
    join code_map m using (nibrs_code)
    group by all
),

final as (
    select g.city_id, c.name as city, g.period, g.offense, g.source, g.kind,
           coalesce(n.count, 0) as count,
           p.population
    from grid g
    join cities c using (city_id)
    left join counts n using (city_id, period, offense, source)
    left join city_population p on p.city_id = g.city_id and p.year = year(g.period)
)

select * from final order by city, offense, period
