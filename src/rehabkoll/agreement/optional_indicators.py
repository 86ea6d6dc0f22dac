"""The indicators of features that came after the agreement follow-up: cases
over FMB's recommended length (rehabkoll.fmb) and certificates received
through the national exchange format (rehabkoll.exchange). Both are
registered with ``indicator_queries.register`` when this module is imported
(indicator_queries imports it), and each returns None, which hides it, when
its data does not exist: no FMB version in force on the window's last day, or
no certificate in the database that came as a RIVTA message. The definitions
are in docs/agreement.md."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rehabkoll.agreement import indicator_queries as queries
from rehabkoll.agreement import indicator_rules as rules
from rehabkoll.cases.engine import measure
from rehabkoll.certificates.models import Certificate, Patient
from rehabkoll.exchange.models import CertificateOrigin
from rehabkoll.fmb import rules as fmb_rules
from rehabkoll.fmb import service as fmb_service


def _value(window: rules.Window, shares: dict[str, rules.Share]) -> queries.Value:
    def pct(share: rules.Share) -> float | None:
        return None if share.percent is None else round(share.percent, 1)

    return queries.Value(
        window.label,
        pct(shares["F"]),
        pct(shares["M"]),
        pct(shares["all"]),
        f"{shares['all'].numerator} av {shares['all'].denominator}",
    )


def fmb_over_recommended(
    session: Session, providers: list[str], window: rules.Window, data: queries.RegionData
) -> queries.Value | None:
    """Of the region's cases ongoing in the window whose diagnoses FMB gives a
    recommended length for, the share longer than it on the window's last day
    (or the case's, if it ended before): the case's days on sick leave up to
    then, against the FMB version in force on the window's last day, by the
    diagnoses of the case's latest certificate signed by then."""
    catalogue = fmb_service.catalogue(session, window.end)
    if catalogue is None:
        return None
    items: list[tuple[str, bool]] = []
    for case in queries.cases_of(data):
        if case.start > window.end or case.end < window.start:
            continue
        until = rules.Window(case.start, min(case.end, window.end), "")
        cut = [c for r in case.certificates if (c := rules.clipped(r, until)) is not None]
        signed = [r for r in case.certificates if r.signed_at.date() <= window.end]
        if not cut or not signed:
            continue
        lead = max(signed, key=lambda r: (r.signed_at, r.id))
        recommendation = catalogue.recommend((lead.diagnosis, *lead.secondary_diagnoses))
        max_days = recommendation.max_days if recommendation is not None else None
        if max_days is None:
            continue
        days = measure(cut)[0]
        items.append((data.sex.get(case.patient_id, ""), fmb_rules.is_over(days, max_days)))
    return _value(window, rules.shares_by_sex(items))


def exchange_electronic_share(
    session: Session, providers: list[str], window: rules.Window, data: queries.RegionData
) -> queries.Value | None:
    """Of the certificates the region's care providers signed in the window
    (test certificates left out; replaced and revoked ones counted, as they
    were received), the share that came as RIVTA messages (the national
    exchange format) rather than as JSON lines or through the JSON API."""
    if session.scalar(select(CertificateOrigin.certificate_id).limit(1)) is None:
        return None
    start = datetime.combine(window.start, time())
    end = datetime.combine(window.end + timedelta(days=1), time())
    rows = session.execute(
        select(Patient.sex, CertificateOrigin.certificate_id.is_not(None), func.count())
        .select_from(Certificate)
        .join(Patient, Patient.id == Certificate.patient_id)
        .outerjoin(CertificateOrigin, CertificateOrigin.certificate_id == Certificate.id)
        .where(
            Certificate.care_provider_id.in_(providers),
            Certificate.test.is_(False),
            Certificate.signed_at >= start,
            Certificate.signed_at < end,
        )
        .group_by(Patient.sex, CertificateOrigin.certificate_id.is_not(None))
    )
    items: list[tuple[str, bool]] = []
    for sex, electronic, count in rows:
        items += [(sex, bool(electronic))] * int(count)
    return _value(window, rules.shares_by_sex(items))


queries.register("fmb.over_recommended", fmb_over_recommended)
queries.register("exchange.electronic_share", exchange_electronic_share)
