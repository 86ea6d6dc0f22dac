"""Backup and restore (säkerhetskopia): a consistent copy of the whole
database while the service runs, with a manifest to check it against."""
