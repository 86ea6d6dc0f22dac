"""``db.listed``: "one of these values" as an IN list on SQLite and one array
parameter on PostgreSQL, selecting the same rows either way."""

from __future__ import annotations

from sqlalchemy import Engine, event, select

from rehabkoll.certificates.models import Patient
from rehabkoll.db.listed import listed
from rehabkoll.db.session import session_factory
from tests.factories import pnr
from tests.test_coordination import add_patients


def test_the_same_rows_in_one_parameter_on_postgresql(engine: Engine) -> None:
    stored = [pnr(n) for n in range(1, 6)]
    wanted = [pnr(2), pnr(4), pnr(99)]  # pnr(99) is nobody
    parameters: list[int] = []

    def count(conn: object, cursor: object, statement: str, params: object, *_: object) -> None:
        if "FROM patients" in statement:
            parameters.append(len(params) if isinstance(params, dict | tuple | list) else -1)

    with session_factory(engine)() as session:
        add_patients(session, *stored)
        event.listen(engine, "before_cursor_execute", count)
        try:
            found = set(
                session.scalars(select(Patient.id).where(listed(session, Patient.id, wanted)))
            )
            none = set(session.scalars(select(Patient.id).where(listed(session, Patient.id, []))))
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert found == {pnr(2), pnr(4)}
    assert none == set()
    if engine.dialect.name == "postgresql":
        # Three values, one parameter: the array.
        assert parameters[0] == 1
    else:
        assert parameters[0] == 3
