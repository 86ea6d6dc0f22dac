"""Accounts: local users, their roles and units, logins, web sessions, API tokens,
and the access rules (who may see what)."""
