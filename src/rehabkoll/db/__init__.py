"""The database: the declarative base, engines and sessions, and the migrations."""
