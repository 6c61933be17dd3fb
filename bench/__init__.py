"""`make bench`: load and latency benchmarks of the real stack against in-run baselines."""
