"""Benchmarks: `python -m tests.bench` (or `make bench`) prints one table. Not part of `make test`."""
