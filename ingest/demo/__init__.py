"""The synthetic DEMO dataset: a deterministic incident history for the 12 PSP cities.

Design decisions
- Two stages. First a small plan of expected monthly counts per city x offense x month
  (anchors in data/demo_profile.toml, national year multipliers, city drift after the PSP
  designation, a July-peaked yearly cycle), drawn as overdispersed Poisson counts. Then each
  (city, year) chunk is expanded to one row per offense with vectorised numpy (day with a
  weekday profile, hour with an hour-of-day profile, a hot spot, a district, firearm
  involvement) and written by DuckDB from Arrow in one INSERT per chunk. No Python loop
  runs per row except the H3 cell call, which the h3 package only offers per point.
- Determinism: every random draw comes from numpy Generators seeded with
  (seed, city index, year, purpose), so a chunk does not depend on other chunks or on
  the order they run in. Same seed and scale, same rows.
- Locations: inside the city's real limits, the Census 2015 place polygons bundled in
  data/public/geography (the same file `ingest import census_boundaries` loads), which the
  demo also writes to city_boundaries. Hot spots (Gaussian blobs with Zipf weights,
  different weights for violent, property and other offenses) sit inside the polygon,
  at least HOTSPOT_MARGIN_M from its edge where the city is wide enough; a city-wide
  background surrounds them. A draw outside the polygon is drawn again (from the same
  hot spot, or city-wide) until it falls inside. Every chunk then goes through the
  boundary check real imports get (ingest.boundaries), with no tolerance. Districts are
  the Voronoi cells of seeds inside the city, clipped to its polygon; they are stored in
  `districts` so maps can draw them. Only places depend on the polygons: counts, times
  and seasonality come from the plan as before.
- Never mixed: the demo refuses to write into a store that holds real incidents or
  counts, and every row it writes has source = 'demo'.

Modules: profile.py (the parameters and the monthly plan), places.py (city polygon, hot
spots, districts), offenses.py (one row per offense of a city-year), build.py (writes
it all into the store).
"""
