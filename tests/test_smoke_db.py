from sqlalchemy import Engine, inspect


def test_migrations_create_the_certificate_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"certificates", "certificate_periods", "patients", "import_batches"} <= tables
