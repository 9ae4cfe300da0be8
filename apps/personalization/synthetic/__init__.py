"""Synthetic customers for load tests, benchmarks, CI and the demo's population, used only by
`manage.py generate_profiles` and `seed_demo`. Not part of the running site: it writes every
app's tables in bulk on purpose (COPY on PostgreSQL), past their services, so it is never
imported by app code."""
