-- Each city's last official month, any offense (analysis.series.provenance.last_month_by_city).
with final as (
    select city_id, max(month) as last_month
    from official_monthly
    where {{ where }}
    group by city_id
)

select * from final
