-- Stored interventions, with their city's name (analysis.goals.interventions.interventions_by_city).
with final as (
    select i.intervention_id, i.city_id, c.name as city, i.name, i.start_date, i.end_date,
           i.area, i.note, i.source
    from interventions i join cities c using (city_id)
    where {{ where }}
)

select * from final order by city, start_date, intervention_id
