"""The agreement follow-up in ``rehabkoll demo``: the 2016 and 2017 agreements'
known shape, all 21 regions with a population, the synthetic region's
indicators, a few submissions and decisions, and a published allocation; the
demo users ``samordnare`` (the synthetic region's coordinator) and
``nationell`` (the national coordinator).

The shipped population file has 17 of the 21 counties for 2015-12-31, each with
its source; the demo fills the other four (03, 21, 22, 24) with the rest of the
country's total split by the synthetic regions' facts, and says so in each
figure's source, so the 17 sourced counties get their real 2016 kronor. Because the
synthetic certificates run up to today, the demo also has a made-up agreement
for the current year (named "Demo") so that the indicators and a threshold
have data to show; every figure of it is invented and labelled as such. The
coordination records the indicators count are the demo's own (demo_coordination).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User
from rehabkoll.agreement import evidence, indicator_queries, population, service
from rehabkoll.agreement.allocation import share
from rehabkoll.agreement.document import AgreementDocument
from rehabkoll.agreement.regions import REGIONS
from rehabkoll.certificates.models import Certificate
from rehabkoll.statistics import population as insured_population
from rehabkoll.synth import regions as synth_regions

NOT_MET = {"09": "Underlaget kom in efter sista dag.", "23": "Handlingsplanen saknades."}
DRAFT = "10"


def synthetic_region(session: Session) -> tuple[str, str] | None:
    """(county code, provider id) of the demo's synthetic care provider."""
    provider = session.scalar(
        select(Certificate.care_provider_id)
        .where(Certificate.care_provider_id.like("SE00000000%"))
        .limit(1)
    )
    if provider is None or provider[10:12] not in REGIONS:
        return None
    return provider[10:12], provider


def _fill_population(session: Session, key_date: date) -> None:
    """The shipped figures, and for the counties without a sourced figure the
    rest of the country's total (Riket minus the shipped counties) split in
    proportion to the synthetic regions' facts: invented, and labelled so, but
    adding up to the real total so that the shipped counties' kronor are real."""
    read, country = population.read_with_country(population.SHIPPED / "scb-folkmangd-lan-2015.csv")
    figures = [f for f in read if f.key_date == key_date]
    shipped = {f.region for f in figures}
    missing = [code for code in REGIONS if code not in shipped]
    facts = {f"{r.county_code:02d}": r.population for r in synth_regions.REGIONS}
    total = country.get(key_date.year)
    if missing and total is not None:
        rest = total - sum(f.population for f in figures)
        invented = share(rest, {code: facts[code] for code in missing})
        label = (
            "Demo: saknas i den medföljande filen; påhittad andel av återstoden "
            "(Riket minus de länen som har källa), fördelad efter rehabkoll.synth.regions"
        )
    else:
        invented = {code: facts[code] for code in missing}
        label = (
            "Demo: saknas i den medföljande filen; SCB slutet av 2023, avrundat "
            "(rehabkoll.synth.regions), inte folkmängden på nyckeldagen"
        )
    filled = [population.Figure(code, key_date, invented[code], label) for code in missing]
    population.store(session, figures + filled)


def demo_document(year: int) -> AgreementDocument:
    """The made-up agreement of the current year (every amount invented)."""
    return AgreementDocument.model_validate(
        {
            "year": year,
            "title": f"Demo {year}: påhittad överenskommelse för att visa funktionerna",
            "total": 1_000_000_000,
            "unearned": "redistributed",
            "note": "Påhittad för demon: belopp, trösklar och datum finns inte i verkligheten. "
            "Villkorens rubriker är lånade från överenskommelsen 2017.",
            "sources": ["Ingen: demodata."],
            "conditions": [
                {
                    "number": "1",
                    "title": "Funktion för koordinering",
                    "asks": "Vårdcentralerna har en funktion för koordinering som används.",
                    "evidence": "Redovisning av funktionen per vårdcentral.",
                    "deadline": f"{year}-10-31",
                    "indicators": [
                        {
                            "indicator": "coordination_function.primary_care",
                            "comparison": ">=",
                            "threshold": 50,
                        },
                        {
                            "indicator": "coordination_coverage.over_60",
                            "comparison": ">=",
                            "threshold": 20,
                        },
                    ],
                },
                {
                    "number": "2",
                    "title": "Jämställd sjukskrivningsprocess",
                    "asks": "Skillnaden i sjukfallslängd mellan kvinnor och män följs upp.",
                    "indicators": [
                        {
                            "indicator": "sick_leave.length_difference",
                            "comparison": "<=",
                            "threshold": 10,
                        }
                    ],
                },
            ],
            "parts": [
                {
                    "id": "villkor-1",
                    "kind": "conditional",
                    "condition": "1",
                    "title": "Villkor 1",
                    "amount": 600_000_000,
                    "instalments": [
                        {"date": f"{year}-04-30", "amount": 300_000_000},
                        {"date": f"{year + 1}-02-28", "amount": 300_000_000},
                    ],
                },
                {
                    "id": "villkor-2",
                    "kind": "conditional",
                    "condition": "2",
                    "title": "Villkor 2",
                    "amount": 300_000_000,
                },
                {
                    "id": "stod",
                    "kind": "unpaid",
                    "title": "Stöd och uppföljning",
                    "amount": 100_000_000,
                    "recipient": "Förbundet",
                },
            ],
        }
    )


def setup(
    session: Session, *, today: date, insured: int, national: User, region_user: User
) -> None:
    """Everything the agreement pages need in the demo; running it again changes
    nothing that is already there."""
    found = synthetic_region(session)
    if found is None:
        return
    code, provider = found
    service.set_region_providers(session, region=code, provider_ids=[provider])
    service.set_coordinator_region(session, user=region_user, region=code, by=None)
    for year in range(today.year - 3, today.year + 1):
        insured_population.store(
            session,
            [
                insured_population.PopulationRow(provider, year, "F", 16, 64, insured // 2),
                insured_population.PopulationRow(
                    provider, year, "M", 16, 64, insured - insured // 2
                ),
            ],
        )
    if service.get_all(session):
        return
    for year in (2016, 2017):
        document = AgreementDocument.model_validate_json(
            (population.SHIPPED / f"agreement-{year}.json").read_bytes()
        )
        service.import_document(session, document=document, user=national)
    _fill_population(session, date(2015, 12, 31))
    demo = demo_document(today.year)
    service.import_document(session, document=demo, user=national)
    _fill_population(session, demo.population_date)
    evidence.submit(
        session, year=2016, condition="1", region=code,
        text="Regionen har uppfyllt kraven: handlingsplan, utbildning i försäkringsmedicin "
        "och rehabkoordinatorer på vårdcentralerna (demotext).",
        links="https://example.org/handlingsplan", upload=None, user=region_user,
    )  # fmt: skip
    evidence.submit(
        session, year=today.year, condition="1", region=code,
        text="Koordineringsfunktionen redovisas per vårdcentral (demotext).",
        links="", upload=None, user=region_user,
    )  # fmt: skip
    for region in REGIONS:
        service.decide(
            session, year=today.year, condition="2", region=region, met=True,
            reason="Skillnaden följs upp kvartalsvis (demo).", user=national,
        )  # fmt: skip
    for year in (2016, today.year):
        for region in REGIONS:
            if region == DRAFT or (year == today.year and region == code):
                continue
            met = region not in NOT_MET
            service.decide(
                session, year=year, condition="1", region=region, met=met,
                reason="Underlaget visar att villkoret är uppfyllt." if met else NOT_MET[region],
                user=national,
            )  # fmt: skip
        service.publish_decisions(session, year=year, user=national)
    service.decide(
        session, year=2016, condition="1", region=DRAFT, met=True,
        reason="Granskat, inte publicerat än (demo).", user=national,
    )  # fmt: skip
    service.publish_allocation(session, year=2016, user=national)
    session.flush()
    # Computed once now, so that the region's page opens at once in the demo.
    indicator_queries.region_indicators(session, region=code, year=today.year)
