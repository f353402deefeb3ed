"""A Spark standalone cluster on this machine with a shared PostgreSQL Hive metastore."""

from pulse.cluster.config import ClusterConfig
from pulse.cluster.manager import Cluster, ClusterError

__all__ = ["Cluster", "ClusterConfig", "ClusterError"]
