"""The access log (PDL): who read or changed which patient's data, when and why."""
