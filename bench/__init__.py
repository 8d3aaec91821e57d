"""Benchmarks of Tiejun at ministry scale: `make bench` (see run.py)."""
