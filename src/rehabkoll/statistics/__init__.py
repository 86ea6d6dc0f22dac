"""rehabkoll.statistics."""
