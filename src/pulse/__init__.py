"""pulse: a dbt warehouse for product event analytics on Spark."""

__version__ = "0.1.0"
