create or replace temp table parsed as
with s as (
    select {columns}{md5_raw} from {stage} r
),
base as (
    select s.{line} as line, null::varchar as raw, {city_id} as city_id, {city_raw} as city_raw,
           {code} as local_code, {desc} as local_desc, {key} as code_key,
           {occ_raw} as occ_raw, {rep_raw} as rep_raw,
           {x_raw} as x_raw, {y_raw} as y_raw, {zip_raw} as zip_raw,
           {district} as district, {id_value} as id_value, ({id_missing}) as id_missing,
           {occ} as occurred_at, {occ_known} as time_known, {rep} as reported_at
    from s {city_join}
    left join cities ci on ci.city_id = {city_id}
),
typed as (
    select b.*,
           try_cast(b.x_raw as double) as x, try_cast(b.y_raw as double) as y,
           lpad(try_cast(try_cast(b.zip_raw as double) as integer)::varchar, 5, '0') as zip,
           case when $fixed_code::varchar is not null then $fixed_code::varchar
                when xw.key is not null then xw.nibrs_code
                when $codes_are_nibrs::boolean and b.code_key in (select nibrs_code from offenses) then b.code_key
           end as nibrs_code,
           case when $fixed_code::varchar is not null then 'mapped'
                when xw.key is not null then case when xw.nibrs_code is null then 'not mapped' else 'mapped' end
                when $codes_are_nibrs::boolean and b.code_key in (select nibrs_code from offenses) then 'mapped'
                when b.code_key is null then 'missing'
                else 'unknown'
           end as code_status,
           xw.firearm
    from base b
    left join xwalk xw on xw.key = b.code_key
),
checked as (
    select t.*, $date_basis::varchar as date_basis,
           date_trunc('month', t.occurred_at)::date as q_month,
           {skip_cols},
           case {city_reasons}
                when t.occ_raw is null then 'missing date'
                when t.occurred_at is null then 'bad date'
                when t.occurred_at < $min_date or t.occurred_at > $max_date then 'date out of range'
                when t.rep_raw is not null and t.reported_at is null then 'bad date'
                when t.id_missing then 'missing id'
                when (t.x_raw is not null or t.y_raw is not null) and (t.x is null or t.y is null)
                    then 'bad coordinates'
                when t.zip_raw is not null and t.zip is null then 'bad ZIP'
                when t.zip is not null and len($zip_prefixes::varchar[]) > 0
                     and not list_bool_or([starts_with(t.zip, z) for z in $zip_prefixes::varchar[]])
                    then 'ZIP outside the city area'
           end as reason
    from typed t
),
-- WGS84 coordinates are rounded to 6 decimals here (round_even: numpy's rounding, as
-- locate() does for reprojected ones); (0, 0) means 'not geocoded'.
placed as (
    select c.*,
           $wgs84::boolean and c.reason is null and not c.skip and c.x is not null and c.y is not null
           and not (c.x = 0 and c.y = 0) and isfinite(round_even(c.x, 6))
           and isfinite(round_even(c.y, 6)) as placed
    from checked c
)
select c.* exclude (placed),
       case when c.placed then round_even(c.y, 6) end as lat,
       case when c.placed then round_even(c.x, 6) end as lon,
       null::varchar as district_layer,
       c.id_value || case when $per_offense::boolean
           then '|' || coalesce(c.nibrs_code, c.code_key, upper(c.local_desc), '') else '' end as source_id,
       null::varchar as dup,
       case c.reason
           when 'missing city' then $city_field::varchar when 'unknown city' then $city_field::varchar
           when 'missing date' then $occ_field::varchar when 'date out of range' then $occ_field::varchar
           when 'bad date' then case when c.occurred_at is null then $occ_field::varchar else $rep_field::varchar end
           when 'missing id' then $id_field::varchar
           when 'bad coordinates' then $x_field::varchar
           when 'bad ZIP' then $zip_field::varchar when 'ZIP outside the city area' then $zip_field::varchar
       end as field
from placed c
