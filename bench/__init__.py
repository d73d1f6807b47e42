"""Benchmarks: a synthetic corpus generator (`bench.generate`) and one benchmark script (`bench.run`)."""
