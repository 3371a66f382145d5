-- The sum of a rollup's `n` over the rows of a filter (analysis.query.scope.sum_n);
-- {{ table }} is one of scope.ROLLUPS_WITH_N, through kernel.sql.ident.
with final as (
    select coalesce(sum(n), 0)::bigint as n
    from {{ table }}
    where {{ where }}
)

select * from final
