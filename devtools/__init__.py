"""Development and test tooling, never part of a deployment.

The `make run` runner (devtools/runner.py), the embedded Redis it and the test suite
start (devtools/embedded_redis.py), the loopback provider emulator (devtools/emulator/)
and the one way all of them, the tests and the bench start, wait for and stop their
child processes (devtools/processes.py). Product apps never import this package
(an import-linter contract in pyproject.toml).
"""
