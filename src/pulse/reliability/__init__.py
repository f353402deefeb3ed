"""Reliability and security checks: secret scanning, fault injection, concurrent readers.

The fast checks are tests (tests/python/test_bad_input.py, test_security.py); the slow
ones (killing the server, the loader and the watcher mid-flight, re-runs, concurrent
BI readers) are `pulse check-reliability` (docs/reliability.md).
"""
