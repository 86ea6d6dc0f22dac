"""Benchmarks: each script prints its figures; results are written in docs/benchmarks.md."""
