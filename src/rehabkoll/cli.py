"""The ``rehabkoll`` command line: each capability registers its own commands.

Every command imports its work (services, the database, DuckDB, numpy, …) in
its own body, so the command line starts fast: ``rehabkoll --help`` loads only
typer and the light modules that the options' types and defaults come from.
tests/test_cli_foundation.py checks that the heavy libraries stay unloaded.
"""

from __future__ import annotations

import typer

from rehabkoll import demo
from rehabkoll.accounts import cli as accounts_cli
from rehabkoll.agreement import cli as agreement_cli
from rehabkoll.audit import cli as audit_cli
from rehabkoll.backup import cli as backup_cli
from rehabkoll.cases import cli as cases_cli
from rehabkoll.certificates import cli as certificates_cli
from rehabkoll.certificates import units_cli
from rehabkoll.exchange import cli as exchange_cli
from rehabkoll.fmb import cli as fmb_cli
from rehabkoll.patients import cli as patients_cli
from rehabkoll.risk import cli as risk_cli
from rehabkoll.statistics import cli as statistics_cli
from rehabkoll.synth import cli as synth_cli
from rehabkoll.web import cli as web_cli

app = typer.Typer(
    name="rehabkoll",
    help="rehabkoll: sick-leave certificates in, sick-leave cases (sjukfall) and follow-up out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (
    certificates_cli,
    cases_cli,
    synth_cli,
    web_cli,
    statistics_cli,
    accounts_cli,
    audit_cli,
    backup_cli,
    patients_cli,
    agreement_cli,
    exchange_cli,
    demo,
    fmb_cli,
    units_cli,
    risk_cli,
):
    module.register(app)


def main() -> None:
    app()
