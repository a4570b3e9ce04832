"""fastact benchmarks (a package so that its conftest does not collide with tests/conftest.py
when both directories are collected in one run)."""
