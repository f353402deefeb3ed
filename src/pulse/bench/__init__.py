"""`pulse bench`: the warehouse beside a monolithic PySpark job and DuckDB, on the same data."""
