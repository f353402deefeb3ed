"""Superset on the marts, through the Spark Thrift server: assets as code, lifecycle, check."""
