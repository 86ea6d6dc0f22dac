"""The agreement follow-up (överenskommelsen): conditions, evidence, indicators and
the money they pay, shared among the regions by population."""
