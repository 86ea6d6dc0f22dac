"""The patient page's risk section (risk för långt sjukfall) and the doctor's
own view of it (läkarens bedömning, as in SRS).

Per ongoing case: the risk now, in percent and category, the question it
answers (">90 dagar", later ">180"/">365 dagar"), every earlier estimate of
the case on a small chart over its days, the diagnosis average in the
region's history, the three features that raise or lower it most (from the
model), the model version in force and a link to the case's FMB texts; "ej
beräknad" with the reason when there is no model or no basis. The page's
read is logged by the patient page itself (a risk is patient data).

A doctor who may open the patient gives their view of the risk shown; it is
stored with the prediction (``risk.opinions``), logged in the access log and
shown to everyone who opens the page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabkoll.accounts.errors import AccessDeniedError
from rehabkoll.accounts.models import User
from rehabkoll.accounts.roles import Role
from rehabkoll.audit.models import Action
from rehabkoll.audit.service import log_access
from rehabkoll.cases.engine import CaseRow
from rehabkoll.lib.formats import percent
from rehabkoll.risk import answers, opinions, questions, service
from rehabkoll.risk.opinions import Opinion, Prediction, RiskOpinion
from rehabkoll.statistics import charts
from rehabkoll.web.cases import list_settings
from rehabkoll.web.deps import AsOf, CurrentUser, SessionDep, Viewer, check_csrf
from rehabkoll.web.errors import NotFoundError
from rehabkoll.web.forms import Fields, FormState
from rehabkoll.web.risk_rows import thresholds

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

ENDED = "Sjukfallet är avslutat"
NO_MODEL = answers.NO_MODEL
UNUSABLE = (
    "Riskmodellen i bruk kan inte användas av den här versionen av rehabkoll; den behöver tränas om"
)
FORM = "risk"
SAVED = "Din bedömning av risken har sparats."
CHANGED = (
    "Risken har beräknats om sedan sidan visades (ny modell eller ny dag). Se den risk som "
    "visas nu och bedöm den igen; ditt val finns kvar nedan."
)
NO_RISK = "Sjukfallet har ingen beräknad risk att bedöma."
OPINION_CHOICES = Opinion.choices()
COLOURS = {90: "#1f4e79", 180: "#8a4b00", 365: "#6a1b9a"}


def question(horizon: int) -> str:
    return f">{horizon} dagar"


@dataclass(frozen=True, slots=True)
class Estimate:
    """One estimate of the case: P(T > horizon | T > given), made from day given + 1."""

    horizon: int
    given: int
    probability: float

    @property
    def day(self) -> int:
        return self.given + 1

    @property
    def question(self) -> str:
        return question(self.horizon)

    @property
    def percent(self) -> str:
        return percent(100 * self.probability, 1)


@dataclass(frozen=True, slots=True)
class Scored:
    """What the risk service said of one case (the one place that reads it)."""

    probability: float | None
    category: str | None
    horizon: int | None
    given: int | None
    reason: str | None
    diagnosis: str
    diagnosis_average: float
    diagnosis_cases: int
    explanation: tuple[str, ...]
    model_version: int
    estimates: tuple[Estimate, ...]


@dataclass
class CaseRisk:
    """The risk section of one case."""

    row: CaseRow
    reason: str | None = None
    """Why "ej beräknad" (None: there is a risk)."""
    scored: Scored | None = None
    trained_as_of: date | None = None
    chart: str = ""
    opinions: list[RiskOpinion] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.row.start.isoformat()

    @property
    def prediction(self) -> Prediction | None:
        s = self.scored
        if s is None or s.probability is None or s.horizon is None or s.given is None:
            return None
        return Prediction(
            self.row.patient_id,
            self.row.unit_id,
            self.row.start,
            s.model_version,
            s.horizon,
            s.given,
            s.probability,
        )

    @property
    def current_opinion(self) -> RiskOpinion | None:
        prediction = self.prediction
        return None if prediction is None else opinions.current(self.opinions, prediction)

    @property
    def percent(self) -> str:
        p = self.scored.probability if self.scored else None
        return "" if p is None else percent(100 * p, 1)

    @property
    def average(self) -> str:
        return "" if self.scored is None else percent(100 * self.scored.diagnosis_average, 1)

    def describe(self, row: RiskOpinion) -> str:
        """ "Högre, Anna Läkare, 2026-12-06 02:10, om risken 58,7 % (>90 dagar från dag 15,
        modellversion 1)"."""
        from rehabkoll.lib.formats import moment

        who = self.names.get(row.username, row.username)
        return (
            f"{row.opinion.label}: {who}, {moment(row.at)}, om risken "
            f"{percent(100 * row.probability, 1)} ({question(row.horizon)} från dag "
            f"{row.given_days + 1}, modellversion {row.model_version})"
        )


def _scored(
    session: Session, rows: Sequence[CaseRow], *, unit_id: str, as_of: date, loaded: Any
) -> dict[CaseRow, Scored]:
    """The risk service's answer for the rows, with every estimate the case
    has passed: the service answers the questions of the case's day (after
    day 90 those of 180 and 365 days), so each row is also asked as it stood
    at the end of every milestone it has passed (the same row, lasted = 90,
    180), which gives the estimates of the earlier questions."""
    probes: dict[CaseRow, list[CaseRow]] = {}
    for row in rows:
        days = answers.lasted(row)
        probes[row] = [row] + [
            row._replace(days=h, days_left=0) for h in questions.HORIZONS if h < days
        ]
    asked = service.score_rows(
        session,
        [p for found in probes.values() for p in found],
        unit_id=unit_id,
        as_of=as_of,
        thresholds=thresholds(),
        loaded=loaded,
    )
    result: dict[CaseRow, Scored] = {}
    for row, found in probes.items():
        now = asked[row]
        seen: dict[tuple[int, int], float] = {}
        for probe in found:
            for h, y, p in asked[probe].estimates:
                seen.setdefault((h, y), p)
        estimates = tuple(
            Estimate(h, y, p)
            for (h, y), p in sorted(seen.items(), key=lambda i: (i[0][1], i[0][0]))
        )
        result[row] = Scored(
            probability=now.current,  # the answer to the question of the case's day
            category=now.current_category,
            horizon=now.horizon,
            given=now.given,
            reason=now.reason,
            diagnosis=now.diagnosis,
            diagnosis_average=now.diagnosis_average,
            diagnosis_cases=now.diagnosis_cases,
            explanation=now.explanation,
            model_version=now.model_version,
            estimates=estimates,
        )
    return result


def case_risks(
    session: Session, *, patient_id: str, unit_id: str, rows: Sequence[CaseRow], as_of: date
) -> dict[str, CaseRisk]:
    """The risk section of each of the patient's cases at the unit, by start day."""
    result = {r.start.isoformat(): CaseRisk(r) for r in rows}
    given = opinions.of_patient(session, patient_id=patient_id, unit_id=unit_id)
    for risk in result.values():
        risk.opinions = given.get(risk.row.start, [])
        if risk.row.end < as_of:
            risk.reason = ENDED
    ongoing = [r for r in rows if r.end >= as_of]
    if ongoing:
        _fill(session, result, ongoing, unit_id=unit_id, as_of=as_of)
    names = _names(session, {o.username for risk in result.values() for o in risk.opinions})
    for risk in result.values():
        risk.names = names
    return result


def _fill(
    session: Session,
    result: dict[str, CaseRisk],
    ongoing: list[CaseRow],
    *,
    unit_id: str,
    as_of: date,
) -> None:
    """The risk of the ongoing cases, or the reason why there is none."""
    try:
        loaded, _ = service.current(session)
        scored = _scored(session, ongoing, unit_id=unit_id, as_of=as_of, loaded=loaded)
    except service.NoModelError:
        reason = NO_MODEL
    except Exception:
        # A stored model this version cannot use (e.g. trained on other
        # features) must not take the patient page down with it.
        log.exception("the risk model in force could not be used")
        reason = UNUSABLE
    else:
        for row in ongoing:
            risk = result[row.start.isoformat()]
            found = scored[row]
            risk.scored = found
            risk.trained_as_of = loaded.as_of
            risk.reason = found.reason if found.probability is None else None
            if found.estimates:
                risk.chart = chart(row, found, as_of)
        return
    for row in ongoing:
        result[row.start.isoformat()].reason = reason


def _names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    found = session.execute(
        select(User.username, User.full_name).where(User.username.in_(sorted(usernames)))
    )
    return {str(u): str(n or u) for u, n in found}


def chart(row: CaseRow, scored: Scored, as_of: date) -> str:
    """The case's estimates over its days as a small accessible SVG: a line per
    question, a point per estimate, the category bounds and today."""
    import altair as alt

    today = (as_of - row.start).days + 1
    low, high = thresholds()
    values = [
        {
            "day": e.day,
            "value": 100 * e.probability,
            "question": e.question,
            "tip": f"Dag {e.day}, risk {e.question}: {e.percent}",
        }
        for e in scored.estimates
    ]
    horizons = sorted({e.horizon for e in scored.estimates})
    colour = alt.Color(
        "question:N",
        title="Risk för",
        scale=alt.Scale(
            domain=[question(h) for h in horizons], range=[COLOURS[h] for h in horizons]
        ),
        legend=alt.Legend(orient="top", aria=False),
    )
    last = max(today, max(e.day for e in scored.estimates)) + 5
    x = alt.X(
        "day:Q",
        title="Sjukfallets dag",
        scale=alt.Scale(domain=[0, last], nice=False),
        axis=alt.Axis(aria=False),
    )
    y = alt.Y(
        "value:Q", title="Risk (%)", scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(aria=False)
    )
    base = alt.Chart({"values": values})
    bounds = alt.Chart({"values": [{"value": 100 * low}, {"value": 100 * high}]})
    marker = alt.Chart({"values": [{"day": today, "text": "i dag"}]})
    layers: list[Any] = [
        bounds.mark_rule(strokeDash=[2, 3], color="#999", aria=False).encode(y="value:Q"),
        base.mark_line(strokeWidth=2, aria=False).encode(x=x, y=y, color=colour),
        base.mark_point(filled=True, size=50, opacity=1).encode(
            x=x, y=y, color=colour, description=alt.Description("tip:N")
        ),
        marker.mark_rule(color="#555", aria=False).encode(x="day:Q"),
        marker.mark_text(align="left", dx=3, dy=-2, baseline="top", aria=False).encode(
            x="day:Q", y=alt.value(0), text="text:N"
        ),
    ]
    layered = (
        alt.LayerChart(layer=layers)
        .properties(width=300, height=140)
        .configure_axis(labelFontSize=13, titleFontSize=13)
        .configure_legend(labelFontSize=13, titleFontSize=13)
        .configure_text(fontSize=13)
    )
    description = "; ".join(str(v["tip"]) for v in values) + (
        f". Gränserna för hög och mycket hög risk: {percent(100 * low)} och {percent(100 * high)}."
    )
    return charts.to_svg(
        layered,
        chart_id=f"risk-chart-{row.start.isoformat()}",
        title=f"Riskens förlopp för sjukfallet som började {row.start.isoformat()}",
        description=description,
        css_class="chart risk-chart",
    )


@router.post("/patients/{ref}/risk/opinion")
async def give_opinion(
    request: Request, ref: str, session: SessionDep, viewer: CurrentUser, as_of: AsOf
) -> Response:
    """A doctor's view of the risk shown for one of the patient's cases."""
    from rehabkoll.web.patient import open_patient, patient_page

    if viewer.role != Role.DOCTOR:
        raise AccessDeniedError("only doctors give their view of a risk")
    patient, cases = open_patient(session, viewer, ref, as_of, list_settings(viewer).gap)
    unit_id = viewer.require_unit()
    data = await request.form()
    fields = Fields(data)
    rows = {row.start.isoformat(): row for row, _ in cases}
    row = rows.get(fields.raw("case"))
    if row is None:
        raise NotFoundError("no such case of the patient")
    risk = case_risks(session, patient_id=patient.id, unit_id=unit_id, rows=[row], as_of=as_of)[
        row.start.isoformat()
    ]
    chosen = fields.choice("opinion", Opinion)
    if chosen is None:
        fields.problems["opinion"] = (
            "Välj en av bedömningarna: högre, korrekt, lägre eller kan ej bedöma."
        )
    prediction = risk.prediction
    message = ""
    if prediction is None:
        message = NO_RISK
    elif (fields.raw("version"), fields.raw("horizon"), fields.raw("given")) != (
        str(prediction.model_version),
        str(prediction.horizon),
        str(prediction.given_days),
    ):
        message = CHANGED
    if message or fields.problems:
        request.state.risk_form = FormState.of(
            f"{FORM}-{row.start.isoformat()}", data, fields.problems, message
        )
        session.rollback()
        answer = patient_page(request, ref, session, viewer, as_of)
        answer.status_code = 409 if message else 422
        return answer
    assert chosen is not None
    assert prediction is not None
    stored = opinions.record(
        session, prediction, chosen, username=viewer.username, hsa_id=viewer.hsa_id
    )
    if stored is not None:
        log_access(
            session,
            user=viewer.user,
            role=viewer.role,
            unit_id=unit_id,
            patient_ids=[patient.id],
            action=Action.RISK_OPINION,
            purpose=viewer.purpose,
            detail=(
                f"{chosen.label} om risken {question(prediction.horizon)} från dag "
                f"{prediction.given_days + 1}, sjukfallet {row.start.isoformat()}, "
                f"modellversion {prediction.model_version}"
            ),
        )
    session.commit()
    suffix = f"&as_of={as_of.isoformat()}" if request.query_params.get("as_of") else ""
    return RedirectResponse(
        f"/patients/{ref}?saved=risk-{row.start.isoformat()}{suffix}#risk-{row.start.isoformat()}",
        status_code=303,
    )


def form_state(request: Request) -> FormState:
    found = getattr(request.state, "risk_form", None)
    return found if isinstance(found, FormState) else FormState()


def may_give_opinion(viewer: Viewer) -> bool:
    return viewer.role == Role.DOCTOR
