"""Benchmarks of doithoai: ``make bench`` (``python -m bench``) runs them all."""
