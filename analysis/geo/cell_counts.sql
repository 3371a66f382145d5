-- Offenses per H3 cell at a chosen resolution (analysis.geo.cells.counts_by_cell), from
-- the whole calendar years in yearly_cell_counts and the months around them in cell_counts
-- (analysis.geo.cells.cell_parts). Slots: the parts' WHERE bodies rendered by
-- CrimeFilter.bind (`false` for a part the filter does not need) and the parent-cell
-- expression (analysis.geo.cells.parent_sql).
with scoped as (
    select h3_r9, n from yearly_cell_counts c where {{ years }}
    union all
    select h3_r9, n from cell_counts c where {{ months }}
    union all
    select h3_r9, n from cell_counts c where {{ later_months }}
),

parented as (
    select {{ parent }} as cell, n from scoped
),

final as (
    select cell, lower(hex(cell)) as h3, sum(n)::bigint as n from parented group by cell
)

select * from final order by n desc, cell
