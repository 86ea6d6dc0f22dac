from sqlalchemy import Engine, inspect


def test_migrations_create_the_certificate_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"certificates", "patients", "import_batches"} <= tables
    assert "certificate_periods" not in tables  # the periods live in certificates.spans
