"""Benchmarks and evaluations (`make bench-index`, `make bench`, `make eval`). They read ../shared when present."""
