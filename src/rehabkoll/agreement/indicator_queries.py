"""The indicators of a region, per year and quarter, computed from the region's
own data in rehabkoll (the certificates, coordination records and accounts of
its care providers' units). The rules are in ``indicator_rules``.

Optional indicators (FMB, electronic exchange) are computed only by a function
registered for them with ``register`` (``optional_indicators`` registers both);
a region's indicator is hidden while that function finds no data for it
(returns None for every period).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rehabkoll.accounts.models import User, UserUnit
from rehabkoll.accounts.roles import Role
from rehabkoll.agreement import indicator_rules as rules
from rehabkoll.agreement.indicators import BY_KEY, INDICATORS
from rehabkoll.agreement.service import providers_of
from rehabkoll.cases.engine import Case, CertificateRecord, Period, build_cases
from rehabkoll.certificates.models import Certificate, Patient, Unit, decode_spans
from rehabkoll.coordination.enums import PlanKind
from rehabkoll.coordination.models import (
    Contact,
    CoordinationRecord,
    Meeting,
    Plan,
    Referral,
    StatusChange,
)
from rehabkoll.exchange.models import CertificateOrigin
from rehabkoll.fmb.models import FmbVersion
from rehabkoll.statistics.models import Population


@dataclass(frozen=True, slots=True)
class Value:
    """One indicator in one period: women, men and all (a number, or None when
    there is nothing to count), and how it was counted (e.g. "12 av 20")."""

    window: str
    women: float | None
    men: float | None
    all: float | None
    detail: str = ""


@dataclass
class RegionData:
    """What the indicators read, loaded once per region."""

    records: list[CertificateRecord]
    sex: dict[str, str]
    kinds: dict[str, rules.UnitKind]
    with_coordinator: set[str]
    entries: list[tuple[str, str, date]] = field(default_factory=list)
    """(patient, unit, day) of every coordination entry."""
    closing_plans: list[tuple[str, str, date]] = field(default_factory=list)
    insured: dict[tuple[int, str], int] = field(default_factory=dict)
    cases: list[Case] | None = None
    """The region's cases, built once when first asked for (``cases_of``)."""


def cases_of(data: RegionData) -> list[Case]:
    """The region's cases (the case engine over its certificates), built once."""
    if data.cases is None:
        data.cases = build_cases(data.records)
    return data.cases


Extra = Callable[[Session, list[str], rules.Window, "RegionData"], Value | None]
"""(session, the region's care providers, the period, the region's loaded data)
→ the value, or None when the feature has no data for it."""
_EXTRA: dict[str, Extra] = {}


def register(key: str, compute: Extra) -> None:
    """Make an optional indicator (``fmb.…``, ``exchange.…``) available: the
    feature that provides its data calls this with the function computing it."""
    if key not in BY_KEY:
        raise KeyError(key)
    _EXTRA[key] = compute


def available() -> list[str]:
    """The indicator keys shown: the built-in ones and the registered optional ones."""
    return [i.key for i in INDICATORS if i.feature is None or i.key in _EXTRA]


def load(session: Session, *, providers: list[str], until: date) -> RegionData:
    records: list[CertificateRecord] = []
    sex: dict[str, str] = {}
    rows = session.execute(
        select(
            Certificate.id,
            Certificate.patient_id,
            Certificate.care_provider_id,
            Certificate.unit_id,
            Certificate.doctor_id,
            Certificate.signed_at,
            Certificate.spans,
            Certificate.diagnosis,
            Patient.sex,
        )
        .join(Patient, Patient.id == Certificate.patient_id)
        .where(
            Certificate.effective.is_(True),
            Certificate.care_provider_id.in_(providers),
            Certificate.start <= until,
        )
    )
    for cid, patient, provider, unit, doctor, signed, spans, diagnosis, sex_ in rows:
        records.append(
            CertificateRecord(
                id=cid,
                patient_id=patient,
                care_provider_id=provider,
                unit_id=unit,
                doctor_id=doctor,
                signed_at=signed,
                periods=tuple(Period(a, b, g) for a, b, g in decode_spans(spans)),
                diagnosis=diagnosis,
            )
        )
        sex[patient] = sex_
    units = session.execute(
        select(Unit.id, Unit.name).where(Unit.care_provider_id.in_(providers))
    ).all()
    kinds = {uid: rules.unit_kind(name) for uid, name in units}
    with_coordinator = set(
        session.scalars(
            select(UserUnit.unit_id)
            .join(User, User.id == UserUnit.user_id)
            .where(
                User.role == Role.COORDINATOR,
                User.disabled.is_(False),
                UserUnit.unit_id.in_(list(kinds)),
            )
        )
    )
    data = RegionData(records, sex, kinds, with_coordinator)
    ids = list(kinds)
    record_rows = session.execute(
        select(
            CoordinationRecord.id, CoordinationRecord.patient_id, CoordinationRecord.unit_id
        ).where(CoordinationRecord.unit_id.in_(ids))
    ).all()
    owner = {rid: (pid, uid) for rid, pid, uid in record_rows}
    if owner:
        dated: list[tuple[int, date]] = []
        for model, column in (
            (Contact, Contact.day),
            (Meeting, Meeting.day),
            (Referral, Referral.day),
        ):
            # an entry withdrawn as written in error is not a measure
            kept = model.retracted_at.is_(None)
            dated += [
                (r, d) for r, d in session.execute(select(model.record_id, column).where(kept))
            ]
        dated += [
            (r, at.date())
            for r, at in session.execute(select(StatusChange.record_id, StatusChange.changed_at))
        ]
        plans = select(Plan.record_id, Plan.recorded_at, Plan.kind).where(
            Plan.retracted_at.is_(None)
        )
        for r, at, kind in session.execute(plans):
            dated.append((r, at.date()))
            if kind == PlanKind.CLOSING_PLAN and r in owner:
                data.closing_plans.append((*owner[r], at.date()))
        data.entries = [(*owner[r], d) for r, d in dated if r in owner]
    for year, sex_, n in session.execute(
        select(Population.year, Population.sex, Population.insured).where(
            Population.provider_id.in_(providers)
        )
    ):
        data.insured[(year, sex_)] = data.insured.get((year, sex_), 0) + n
    return data


def _case_facts(data: RegionData) -> list[rules.CaseFact]:
    facts = []
    for case in cases_of(data):
        lead = max(case.certificates, key=lambda c: (c.signed_at, c.id))
        facts.append(
            rules.CaseFact(
                case.patient_id,
                lead.unit_id,
                data.sex.get(case.patient_id, ""),
                case.start,
                case.end,
                case.days,
            )
        )
    return facts


def _pct(share: rules.Share) -> float | None:
    return None if share.percent is None else round(share.percent, 1)


def compute(
    data: RegionData,
    window: rules.Window,
    previous: rules.Window,
    facts: list[rules.CaseFact] | None = None,
) -> dict[str, Value]:
    """Every built-in indicator of the region in the window (``facts``: the
    region's cases, when the caller has them already)."""
    out: dict[str, Value] = {}
    in_window = [r for r in data.records if r.end >= window.start and r.start <= window.end]
    active = {r.unit_id for r in in_window}
    with_records = {u for _, u, d in data.entries if window.start <= d <= window.end}
    for kind in rules.UnitKind:
        share = rules.coordination_function(
            kinds=data.kinds,
            active=active,
            with_coordinator=data.with_coordinator,
            with_records=with_records,
            kind=kind,
        )
        out[f"coordination_function.{kind}"] = Value(
            window.label, None, None, _pct(share), f"{share.numerator} av {share.denominator}"
        )
    facts = _case_facts(data) if facts is None else facts
    covered = {(p, u) for p, u, d in data.entries if d <= window.end}
    closing = {(p, u) for p, u, d in data.closing_plans if d <= window.end}
    for key, threshold, pairs in (
        ("coordination_coverage.over_60", 60, covered),
        ("plan_for_closing.over_365", 365, closing),
    ):
        shares = rules.coverage(facts, threshold=threshold, window=window, covered=pairs)
        out[key] = Value(
            window.label,
            _pct(shares["F"]),
            _pct(shares["M"]),
            _pct(shares["all"]),
            f"{shares['all'].numerator} av {shares['all'].denominator}",
        )
    current = _rates(data, window)
    before = _rates(data, previous)
    out["sick_leave.net_days_per_insured"] = Value(window.label, *current)
    women, men, everyone = (
        _round(rules.relative_change(c, b)) for c, b in zip(current, before, strict=True)
    )
    out["sick_leave.change"] = Value(window.label, women, men, everyone, f"mot {previous.label}")
    difference = rules.length_difference(facts, window)
    out["sick_leave.length_difference"] = Value(
        window.label, None, None, None if difference is None else round(difference, 1)
    )
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _rates(
    data: RegionData, window: rules.Window
) -> tuple[float | None, float | None, float | None]:
    year = window.start.year
    per_patient = rules.net_days_by_patient(data.records, window)
    net = {"F": 0.0, "M": 0.0}
    for patient, days in per_patient.items():
        key = data.sex.get(patient)
        if key in net:
            net[key] += days
    out = []
    for sexes in (("F",), ("M",), ("F", "M")):
        insured = sum(data.insured.get((year, s), 0) for s in sexes)
        total = sum(net[s] for s in sexes)
        rate = rules.per_insured_and_year(total, insured, window)
        out.append(None if rate is None else round(rate, 2))
    return out[0], out[1], out[2]


def net_days_per_insured(session: Session, *, region: str, year: int) -> float | None:
    """The region's net sick-leave days per insured person in the year (women
    and men together): the indicator ``sick_leave.net_days_per_insured`` that
    the variable part shares by. None when the region has no care providers
    or no insured population that year."""
    providers = providers_of(session, region=region)
    if not providers:
        return None
    data = load(session, providers=providers, until=date(year, 12, 31))
    return _rates(data, rules.year_window(year))[2]


_CACHE: OrderedDict[tuple[object, ...], dict[str, list[Value]]] = OrderedDict()
_CACHE_SIZE = 32


def _fingerprint(session: Session, providers: list[str]) -> tuple[object, ...]:
    """What the indicators depend on, in a few cheap aggregates: when none of
    these moved, the figures have not either."""
    certificates = session.execute(
        select(func.count(), func.max(Certificate.batch_id)).where(
            Certificate.care_provider_id.in_(providers)
        )
    ).one()
    entries = tuple(
        session.scalar(select(func.max(model.id)))
        for model in (CoordinationRecord, Contact, Meeting, Plan, Referral, StatusChange)
    )
    accounts = session.execute(
        select(func.count(), func.max(User.id), func.sum(sql_case((User.disabled, 1), else_=0)))
    ).one()
    units = session.scalar(select(func.count()).select_from(UserUnit))
    insured = session.execute(
        select(func.count(), func.sum(Population.insured)).where(
            Population.provider_id.in_(providers)
        )
    ).one()
    # the optional indicators' data: FMB versions, certificates that came as RIVTA
    features = (
        session.scalar(select(func.max(FmbVersion.id))),
        session.scalar(select(func.count()).select_from(CertificateOrigin)),
    )
    return (tuple(certificates), entries, tuple(accounts), units, tuple(insured), features)


def region_indicators(session: Session, *, region: str, year: int) -> dict[str, list[Value]]:
    """indicator key → values for the year and its four quarters (quarters
    after today left out), for the indicators available. Remembered (for the
    last 32 region-years) until the data they are computed from changes."""
    providers = providers_of(session, region=region)
    if not providers:
        return {}
    key = (
        session.get_bind().engine.url.render_as_string(hide_password=True),
        region,
        year,
        date.today(),
        tuple(providers),
        tuple(sorted(_EXTRA)),
        _fingerprint(session, providers),
    )
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    values = _compute_all(session, providers=providers, year=year)
    _CACHE[key] = values
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return values


def _compute_all(session: Session, *, providers: list[str], year: int) -> dict[str, list[Value]]:
    today = date.today()
    windows = [rules.year_window(year)] + [
        q for q in rules.quarter_windows(year) if q.start <= today
    ]
    data = load(session, providers=providers, until=date(year, 12, 31))
    out: dict[str, list[Value]] = {key: [] for key in available()}
    facts = _case_facts(data)
    for window in windows:
        previous = rules.Window(
            window.start.replace(year=window.start.year - 1),
            window.end.replace(year=window.end.year - 1),
            window.label.replace(str(year), str(year - 1)),
        )
        values = compute(data, window, previous, facts)
        for key in out:
            if key in values:
                out[key].append(values[key])
            elif key in _EXTRA:
                extra = _EXTRA[key](session, providers, window, data)
                if extra is not None:
                    out[key].append(extra)
    return {key: v for key, v in out.items() if v or BY_KEY[key].feature is None}


# The features' optional indicators register themselves (at the end: the
# module imports this one).
from rehabkoll.agreement import optional_indicators as _optional  # noqa: E402, F401
