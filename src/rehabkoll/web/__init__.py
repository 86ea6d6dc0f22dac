"""rehabkoll.web."""
