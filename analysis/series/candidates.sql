-- Every count the store holds for one city and offense, with its verdict
-- (analysis.series.provenance.candidates).
with final as (
    select month, source, count, kind, rank, qualifies, reason, chosen
    from official_candidates
    where {{ where }}
)

select * from final order by month, rank nulls last, source
