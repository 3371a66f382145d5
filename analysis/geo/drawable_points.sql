-- How many offenses of a filter could be drawn as points: located, and not sensitive
-- (analysis.geo.points.drawable_points). Parts and slots as in cell_counts.sql.
with scoped as (
    select nibrs_code, h3_r9, n from yearly_cell_counts c where {{ years }}
    union all
    select nibrs_code, h3_r9, n from cell_counts c where {{ months }}
    union all
    select nibrs_code, h3_r9, n from cell_counts c where {{ later_months }}
),

final as (
    select coalesce(sum(n), 0)::bigint as n
    from scoped join offenses o using (nibrs_code)
    where h3_r9 is not null and not o.sensitive
)

select * from final
