-- The cities with located offenses in a filter (report.briefing.hotspot_cities): those
-- get a hot-spot slide. Slot: the WHERE body rendered by CrimeFilter.bind.
with scoped as (
    select city_id from cell_counts where {{ where }} and h3_r9 is not null
),

final as (
    select distinct city_id from scoped
)

select * from final
