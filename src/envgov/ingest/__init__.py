"""Reading the outside world: hourly station files through column-mapping profiles.

Entry points: `envgov.ingest.hourly.ingest_file(path, profile=None, stations=None, lake=None)` →
`ImportReport` (located errors in Chinese, all-or-nothing), `read_hourly(...)` (validate only).
Profiles: `profiles/*.yaml` (`long`, `wide`, `uci-beijing`, …), see `envgov.ingest.profile`.
"""
