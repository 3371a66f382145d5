-- The busiest cells of one city in a window, with their monthly trend
-- (analysis.query.profile.hotspot_cells). {{ parent }} is analysis.geo.cells.parent_sql.
with by_cell as materialized (
    -- the one pass over the rollup
    select {{ parent }} as cell, month, district, sum(n) as n
    from cell_counts
    where {{ where }} and h3_r9 is not null
    group by all
),

totals as (
    select cell,
           coalesce(sum(n) filter (where month >= $window_start), 0)::bigint as current,
           coalesce(sum(n) filter (where month <= $prior_end), 0)::bigint as previous
    from by_cell group by cell
),

top_cells as (
    select * from totals where current > 0 order by current desc, cell limit $top
),

top_rows as (
    select b.* from by_cell b semi join top_cells t using (cell)
),

main_district as (
    select cell, district
    from (select cell, district, sum(n) as n from top_rows group by all)
    qualify row_number() over (partition by cell order by n desc, district) = 1
),

by_month as (
    select cell, month, sum(n) as n from top_rows group by all
),

months as (
    select unnest(generate_series($trend_first::date, $trend_last::date, interval 1 month))::date as month
),

series as (
    select t.cell, list(coalesce(b.n, 0)::bigint order by m.month) as trend
    from top_cells t cross join months m
    left join by_month b on b.cell = t.cell and b.month = m.month
    group by t.cell
),

final as (
    select t.cell, t.current, t.previous, d.district, s.trend,
           (select sum(current) from totals) as located_current,
           lower(hex(t.cell)) as h3
    from top_cells t left join main_district d using (cell) join series s using (cell)
)

select * from final order by current desc, cell
