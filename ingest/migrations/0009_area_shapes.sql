-- 0007: polygons of the small areas that published counts use (area_counts.area_kind
-- and .area, e.g. ZCTA '77002'), loaded by a `geography` import with target = "areas".
-- With them the Map page draws area_counts as a choropleth; without them area_counts
-- stay tables only. Kept apart from `districts` so a ZCTA layer never becomes the
-- district layer incidents are joined to.
create table area_shapes (
    city_id       varchar not null,
    area_kind     varchar not null,           -- zcta | ...
    area          varchar not null,
    source        varchar not null,
    geometry_wkt  varchar not null,           -- WGS84
    primary key (city_id, area_kind, area, source)
);
