"""Computations over tables (Ibis on DuckDB by default, PySpark for scale).

Entry points: `envgov.engine.lake.Lake` (append-only observation store), `envgov.engine.air`
(`evaluate`, `evaluate_sets`, `daily_results`, `hourly_results`), `envgov.engine.backends.connect`.
"""
