"""The work list (pågående sjukfall) as the pages show it: rows with the
patient's facts and the coordination state, the columns, filters, sorting,
the rehabilitation-chain milestones and the "needs attention" reasons.

Plain functions on plain data, no I/O: ``rehabkoll.web.queries`` loads what
they need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from rehabkoll.exchange.matters import NO_MATTERS, MatterCounts
from rehabkoll.fmb.rules import Assessment
from rehabkoll.lib import diagnosis_texts, formats, icd10
from rehabkoll.risk.categories import VERY_HIGH

if TYPE_CHECKING:
    from rehabkoll.risk.answers import Scored

MILESTONES = (90, 180, 365)
"""Rehabiliteringskedjan: the days work capacity is assessed against."""
TIMELINE_MILESTONES = (30, 90, 180, 365)
"""Day 30 is the employer's return-to-work plan deadline."""
ATTENTION_DAYS = 14
ENDING_DAYS = 7
"""A certificate ending within this many days (a user's setting) needs attention."""
MAX_ENDING_DAYS = 30
ENDING_FROM_DAY = 30
"""An ending certificate counts from the case's day 30: shorter cases mostly end as planned."""
ASSESSMENT_DAYS = 30
"""A milestone passed this many days ago or less, with no contact or meeting since."""
NO_CONTACT_DAYS = 30
LONG_CASE_DAYS = 365
PROTECTED_LABEL = "Skyddad personuppgift"
PAGE_SIZES = (25, 50, 100, 250, 500, 2000)

OCCUPATIONS = {
    "CURRENT_JOB": "Nuvarande arbete",
    "JOB_SEEKER": "Arbetssökande",
    "PARENTAL_LEAVE": "Föräldraledig",
    "STUDIES": "Studier",
}
SEXES = {"F": "Kvinna", "M": "Man"}
DIAGNOSIS_GROUPS = {"F": "Psykiatriska (F)", "M": "Muskuloskeletala (M)", "other": "Övriga"}
LENGTH_BANDS = (
    ("<90", "Under 90 dagar", 0, 89),
    ("90-180", "90–180 dagar", 90, 180),
    ("181-365", "181–365 dagar", 181, 365),
    (">365", "Över 365 dagar", 366, None),
)


URGENCY_NONE = 1_000_000


@dataclass(frozen=True, slots=True)
class WorkRow:
    """One row of the work list, with everything a column or filter needs."""

    ref: str
    patient_id: str
    name: str
    protected: bool
    age: int
    sex: str
    diagnosis: str
    diagnosis_text: str
    occupation: tuple[str, ...]
    start: date
    end: date
    days: int
    net_days: float
    certificates: int
    degree: int | None
    degrees: tuple[int, ...]
    doctor_id: str
    doctor_name: str
    status: str
    milestone: int | None
    days_to_milestone: int | None
    recently_ended: bool
    attention: tuple[str, ...] = ()
    urgency: int = URGENCY_NONE
    """Lower is more urgent (see ``attention``); the "Behöver åtgärd" order."""
    matters: MatterCounts = NO_MATTERS
    """Försäkringskassan's open questions and requests for completion (Ärenden)."""
    fmb: Assessment | None = None
    """The case against FMB's recommended length (None: no recommendation)."""
    fmb_source: str = ""
    """"Socialstyrelsen, FMB (2018-06-05)": the version in force."""
    risk: Scored | None = None
    """The risk of a long case (rehabkoll.web.risk_rows); None: not computed."""
    risk_reason: str = ""
    """Why there is no risk, when the model or its basis is missing."""

    @property
    def shown_name(self) -> str:
        return PROTECTED_LABEL if self.protected else self.name

    @property
    def shown_id(self) -> str:
        return PROTECTED_LABEL if self.protected else self.patient_id


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    sort_key: Callable[[WorkRow], Any]
    text: Callable[[WorkRow], str]
    numeric: bool = False
    identifying: bool = False
    default: bool = False
    """Shown until the user chooses otherwise in "Kolumner" (the coordinator's morning)."""


def _degrees_text(row: WorkRow) -> str:
    parts = [f"[{d}]" if d == row.degree else str(d) for d in row.degrees]
    return ", ".join(parts) + " %"


def _milestone_text(row: WorkRow) -> str:
    if not row.milestone:
        return "–"
    return f"Dag {row.milestone} om {formats.days(row.days_to_milestone)}"


def matters_text(counts: MatterCounts) -> str:
    """``Komplettering (2) · Administrativ fråga (1)``, marked when one is overdue."""
    text = counts.text()
    if counts.overdue_since is not None:
        text += f" (försenad sedan {counts.overdue_since.isoformat()})"
    return text or "–"


def _occupation_text(row: WorkRow) -> str:
    return ", ".join(OCCUPATIONS.get(o, o) for o in row.occupation)


def fmb_text(row: WorkRow) -> str:
    """The FMB column: recommended days and the case's days as a share of them."""
    fmb = row.fmb
    if fmb is None:
        return "–"
    share = round(100 * fmb.days / fmb.max_days) if fmb.max_days else None
    mark = " – över" if fmb.over else ""
    return f"{fmb.max_days} d" + (f" ({share} %)" if share is not None else "") + mark


def fmb_sort_key(row: WorkRow) -> tuple[int, float, int]:
    """Over first when descending: over, then the share (a recommendation of
    no sick leave at all counts as the largest), then the days."""
    fmb = row.fmb
    if fmb is None:
        return (-1, -1.0, 0)
    share = fmb.days / fmb.max_days if fmb.max_days else float("inf") if fmb.days else 0.0
    return (int(fmb.over), share, fmb.days)


FMB_RECENT_DAYS = 14
"""A case that went over FMB's recommendation at most this many days ago is news."""


def fmb_reason(
    fmb: Assessment | None,
    *,
    as_of: date,
    day: int,
    last_contact: date | None = None,
    plan: bool = False,
) -> str | None:
    """The "Behöver åtgärd" reason of a case over its recommendation, or None.

    ``day`` is the case's day number on ``as_of``; the case goes over on day
    ``max_days + 1`` (the crossing day), which lies ahead when the current
    certificate takes it over. Being over is not news in itself (most long
    cases are): a case needs action when it has no contact or meeting since
    the crossing day and either crossed within FMB_RECENT_DAYS (or will cross
    on the current certificate), or has no plan (rehabiliteringsplan or plan
    för avslut). A contact since the crossing counts as having dealt with it,
    as a contact after a milestone does.
    """
    if fmb is None or not fmb.over:
        return None
    over_by = day - fmb.max_days  # 1 on the crossing day, <= 0 before it
    crossing = as_of - timedelta(days=over_by - 1)
    if last_contact is not None and last_contact >= crossing:
        return None
    text = f"Över FMB:s rekommenderade längd ({fmb.max_days} dagar)"
    if over_by <= 0:
        return f"{text} från {crossing.isoformat()}"
    if over_by <= FMB_RECENT_DAYS:
        return f"{text} sedan {crossing.isoformat()}"
    if not plan:
        return f"{text} sedan {crossing.isoformat()}, utan plan eller kontakt sedan dess"
    return None


def risk_sort_key(scored: Scored | None) -> tuple[int, float]:
    """Not computed first when ascending, then by category and probability."""
    if scored is None or scored.current is None or scored.current_category is None:
        return (0, 0.0)
    return (RISK_LEVELS.get(scored.current_category, 0), scored.current)


def risk_text(row: WorkRow) -> str:
    """The Risk column as text: "Hög risk, 45 % >90 dagar", or "ej beräknad"."""
    scored = row.risk
    if scored is None or scored.current is None:
        return "ej beräknad"
    return f"{scored.current_category}, {round(100 * scored.current)} % {scored.question}"


RISK_LEVELS = {"Måttlig risk": 1, "Hög risk": 2, VERY_HIGH: 3}
"""How many of the Risk column's three dots a category fills."""
RISK_REASON = "Mycket hög risk, ingen kontakt"
RISK_URGENCY = 350
"""A very high risk with no coordination contact yet: after "no contact in
30 days" of an active case, before a milestone near."""

FMB_URGENCY = 550
"""Over FMB's recommendation: after the consent running out, before a long
case without a plan for closing."""

COLUMNS: tuple[Column, ...] = (
    # The default set, in this order: who, diagnosis, days, end, status, next milestone
    # (what needs doing is always the last column). The rest are in "Kolumner".
    Column(
        "name",
        "Namn",
        lambda r: r.shown_name,
        lambda r: r.shown_name,
        identifying=True,
        default=True,
    ),
    Column(
        "pnr",
        "Personnummer",
        lambda r: r.shown_id,
        lambda r: r.shown_id,
        identifying=True,
        default=True,
    ),
    Column(
        "diagnosis",
        "Diagnos",
        lambda r: r.diagnosis,
        lambda r: f"{r.diagnosis} {r.diagnosis_text}".strip(),
        default=True,
    ),
    Column("days", "Dagar", lambda r: r.days, lambda r: str(r.days), numeric=True, default=True),
    Column("end", "Slut", lambda r: r.end, lambda r: r.end.isoformat(), default=True),
    Column("status", "Status", lambda r: r.status, lambda r: r.status or "–", default=True),
    Column(
        "milestone",
        "Nästa milstolpe",
        lambda r: (r.milestone or 9999, r.days_to_milestone or 0),
        _milestone_text,
        default=True,
    ),
    Column("fmb", "FMB", fmb_sort_key, fmb_text, numeric=True, default=True),
    Column("age", "Ålder", lambda r: r.age, lambda r: str(r.age), numeric=True),
    Column("sex", "Kön", lambda r: r.sex, lambda r: SEXES.get(r.sex, r.sex)),
    Column("occupation", "Sysselsättning", _occupation_text, _occupation_text),
    Column("start", "Start", lambda r: r.start, lambda r: r.start.isoformat()),
    Column(
        "net_days",
        "Nettodagar",
        lambda r: r.net_days,
        lambda r: formats.number(r.net_days),
        numeric=True,
    ),
    Column("certificates", "Intyg", lambda r: r.certificates, lambda r: str(r.certificates), True),
    Column("degrees", "Grad", lambda r: (r.degree or 0, r.degrees), _degrees_text),
    Column("doctor", "Läkare", lambda r: r.doctor_name, lambda r: r.doctor_name),
    Column(
        "to_milestone",
        "Dagar till milstolpe",
        lambda r: 9999 if r.days_to_milestone is None else r.days_to_milestone,
        lambda r: "–" if r.days_to_milestone is None else str(r.days_to_milestone),
        numeric=True,
    ),
)
COLUMNS += (
    Column(
        "matters",
        "Ärenden",
        lambda r: (-r.matters.completions, -r.matters.questions),
        lambda r: matters_text(r.matters),
    ),
)
COLUMNS += (
    # Three dots by category, the percent on hover and focus (risk_cell.html).
    Column("risk", "Risk", lambda r: risk_sort_key(r.risk), lambda r: risk_text(r), default=True),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_ORDER = tuple(c.key for c in COLUMNS)
DEFAULT_HIDDEN = tuple(c.key for c in COLUMNS if not c.default)


def case_day(days: int, days_left: int) -> int:
    """The case's day number on the day looked from: its days so far, counting
    the future days of the current certificate out."""
    return max(days - max(days_left, 0), 0)


def next_milestone(day: int) -> tuple[int | None, int | None]:
    """The next milestone of the rehabilitation chain after ``day``, and days to it."""
    for milestone in MILESTONES:
        if day < milestone:
            return milestone, milestone - day
    return None, None


def diagnosis_group(code: str) -> str:
    letter = icd10.chapter_letter(code)
    return letter if letter in ("F", "M") else "other"


def length_band(days: int) -> str:
    for key, _label, low, high in LENGTH_BANDS:
        if days >= low and (high is None or days <= high):
            return key
    return LENGTH_BANDS[-1][0]


@dataclass(frozen=True, slots=True)
class CoordinationFacts:
    """What the attention view needs of one patient's coordination record."""

    status: str = ""
    active: bool = False
    last_contact: date | None = None
    consent_expiry: date | None = None
    closing_plan: bool = False
    plan: bool = False
    """A rehabilitation plan or a plan for closing is in place (not withdrawn)."""
    overdue_since: date | None = None
    """The due day of the patient's oldest overdue open task, if any."""
    overdue_completion: date | None = None
    """The passed deadline of the patient's oldest open request for completion."""


def attention(
    *,
    as_of: date,
    days: int,
    days_to_milestone: int | None,
    milestone: int | None,
    recently_ended: bool,
    facts: CoordinationFacts,
    days_left: int | None = None,
    ending_days: int = ENDING_DAYS,
    fmb: Assessment | None = None,
    risk: Scored | None = None,
) -> tuple[tuple[str, ...], int]:
    """Why a case needs attention now, most urgent first, each in one line for
    the page, and how urgent the most urgent is (lower first; URGENCY_NONE when
    nothing is). Overdue things come first: an overdue task, a milestone passed
    without a contact or meeting since, then the certificate about to end with
    no renewal, no contact in 30 days while active, a very high risk of a
    long case with no contact yet, a milestone near, the consent running out,
    a long case without a plan for closing."""
    if recently_ended:
        return (), URGENCY_NONE
    found: list[tuple[int, str]] = []
    if facts.overdue_since is not None:
        late = (as_of - facts.overdue_since).days
        found.append((0 - late, f"Uppgift försenad sedan {facts.overdue_since.isoformat()}"))
    if facts.overdue_completion is not None:
        late = (as_of - facts.overdue_completion).days
        found.append(
            (0 - late, f"Komplettering försenad sedan {facts.overdue_completion.isoformat()}")
        )
    passed = max((m for m in MILESTONES if m <= days), default=None)
    if passed is not None and days - passed <= ASSESSMENT_DAYS:
        reached = as_of - timedelta(days=days - passed)
        if facts.last_contact is None or facts.last_contact < reached:
            found.append(
                (
                    100 + (days - passed),
                    f"Dag {passed} passerad {reached.isoformat()} utan bedömning",
                )
            )
    if days_left is not None and 0 <= days_left <= ending_days and days >= ENDING_FROM_DAY:
        when = "i dag" if days_left == 0 else f"om {formats.days(days_left)}"
        found.append((200 + days_left, f"Intyget slutar {when}"))
    if facts.active and (
        facts.last_contact is None or (as_of - facts.last_contact).days > NO_CONTACT_DAYS
    ):
        found.append((300, "Ingen kontakt på 30 dagar"))
    if (
        milestone is not None
        and days_to_milestone is not None
        and days_to_milestone <= ATTENTION_DAYS
    ):
        found.append(
            (400 + days_to_milestone, f"Dag {milestone} om {formats.days(days_to_milestone)}")
        )
    if facts.consent_expiry is not None:
        left = (facts.consent_expiry - as_of).days
        if 0 <= left <= ATTENTION_DAYS:
            found.append((500 + left, f"Samtycket upphör om {formats.days(left)}"))
    if risk is not None and risk.current_category == VERY_HIGH and facts.last_contact is None:
        found.append((RISK_URGENCY, RISK_REASON))
    over = fmb_reason(fmb, as_of=as_of, day=days, last_contact=facts.last_contact, plan=facts.plan)
    if over is not None:
        found.append((FMB_URGENCY, over))
    if days > LONG_CASE_DAYS and not facts.closing_plan:
        found.append((600, "Över 365 dagar utan plan för avslut"))
    found.sort(key=lambda f: f[0])
    return tuple(text for _, text in found), (found[0][0] if found else URGENCY_NONE)


def attention_reasons(
    *,
    as_of: date,
    days: int,
    days_to_milestone: int | None,
    milestone: int | None,
    recently_ended: bool,
    facts: CoordinationFacts,
    days_left: int | None = None,
    ending_days: int = ENDING_DAYS,
    fmb: Assessment | None = None,
    risk: Scored | None = None,
) -> tuple[str, ...]:
    """The reasons of ``attention``, most urgent first (empty: none)."""
    return attention(
        as_of=as_of,
        days=days,
        days_to_milestone=days_to_milestone,
        milestone=milestone,
        recently_ended=recently_ended,
        facts=facts,
        days_left=days_left,
        ending_days=ending_days,
        fmb=fmb,
        risk=risk,
    )[0]


@dataclass
class Filters:
    """The work list's filters; empty values filter nothing."""

    doctor: str = ""
    chapter: str = ""
    min_days: int | None = None
    max_days: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    end_from: date | None = None
    end_to: date | None = None
    status: str = ""
    occupation: str = ""
    text: str = ""
    attention: bool = False
    matters: str = ""
    """Ärendestatus: "none", "open", "completion" or "question" (see MATTER_FILTERS)."""
    over_fmb: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "doctor": self.doctor,
            "chapter": self.chapter,
            "min_days": self.min_days,
            "max_days": self.max_days,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "end_from": self.end_from.isoformat() if self.end_from else None,
            "end_to": self.end_to.isoformat() if self.end_to else None,
            "status": self.status,
            "occupation": self.occupation,
            "text": self.text,
            "attention": self.attention,
            "matters": self.matters,
            "over_fmb": self.over_fmb,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Filters:
        def number(key: str) -> int | None:
            value = data.get(key)
            return int(value) if isinstance(value, int | str) and str(value).isdigit() else None

        def day(key: str) -> date | None:
            value = data.get(key)
            try:
                return date.fromisoformat(value) if isinstance(value, str) and value else None
            except ValueError:
                return None

        def text(key: str) -> str:
            value = data.get(key)
            return value.strip()[:100] if isinstance(value, str) else ""

        return cls(
            doctor=text("doctor"),
            chapter=text("chapter").upper()[:1],
            min_days=number("min_days"),
            max_days=number("max_days"),
            min_age=number("min_age"),
            max_age=number("max_age"),
            end_from=day("end_from"),
            end_to=day("end_to"),
            status=text("status"),
            occupation=text("occupation"),
            text=text("text"),
            attention=bool(data.get("attention")),
            matters=text("matters") if text("matters") in MATTER_FILTERS else "",
            over_fmb=bool(data.get("over_fmb")),
        )

    @property
    def active(self) -> bool:
        return any(v not in ("", None, False) for v in self.as_dict().values())


MATTER_FILTERS = {
    "none": "Utan obesvarade ärenden",
    "open": "Med obesvarade ärenden",
    "completion": "Obesvarade kompletteringar",
    "question": "Obesvarade frågor",
}
"""Ärendestatus, the work list's filter on Försäkringskassan's messages."""


def matter_matches(counts: MatterCounts, choice: str) -> bool:
    if choice == "none":
        return counts.total == 0
    if choice == "open":
        return counts.total > 0
    if choice == "completion":
        return counts.completions > 0
    if choice == "question":
        return counts.questions > 0
    return True


def _between(value: Any, low: Any, high: Any) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def matches(row: WorkRow, filters: Filters, *, hide_names: bool = False) -> bool:
    f = filters
    if f.doctor and row.doctor_id != f.doctor:
        return False
    if f.chapter and icd10.chapter_letter(row.diagnosis) != f.chapter:
        return False
    if f.status and row.status != f.status and not (f.status == "-" and not row.status):
        return False
    if f.occupation and f.occupation not in row.occupation:
        return False
    if f.attention and not row.attention:
        return False
    if f.matters and not matter_matches(row.matters, f.matters):
        return False
    if f.over_fmb and not (row.fmb is not None and row.fmb.over):
        return False
    if not (
        _between(row.days, f.min_days, f.max_days)
        and _between(row.age, f.min_age, f.max_age)
        and _between(row.end, f.end_from, f.end_to)
    ):
        return False
    if f.text:
        needle = f.text.casefold()
        # The diagnosis by code, Swedish title and synonyms ("depression", "ryggvärk").
        haystack = [diagnosis_texts.search_text(row.diagnosis), row.doctor_name, row.status]
        if not row.protected and not hide_names:
            haystack += [row.name, row.patient_id, row.patient_id.replace("-", "")]
        if not any(needle in h.casefold() for h in haystack):
            return False
    return True


def apply(
    rows: Iterable[WorkRow],
    filters: Filters,
    *,
    sort: str = "",
    descending: bool = False,
    hide_names: bool = False,
) -> list[WorkRow]:
    """Filter, then sort by a column (stable; ties keep the patient order)."""
    chosen = [r for r in rows if matches(r, filters, hide_names=hide_names)]
    column = COLUMN_BY_KEY.get(sort)
    if column is not None and not (hide_names and column.identifying):
        chosen.sort(key=column.sort_key, reverse=descending)
    elif sort == "urgency" or (not sort and filters.attention):
        chosen.sort(key=lambda r: r.urgency)
    return chosen


@dataclass
class ListSettings:
    """The work-list settings each user keeps (saved with their account)."""

    gap: int = 5
    recent: int = 0
    hide_names: bool = False
    per_page: int = 100
    ending_days: int = ENDING_DAYS
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_ORDER))
    hidden: list[str] = field(default_factory=lambda: list(DEFAULT_HIDDEN))
    filters: Filters = field(default_factory=Filters)

    def as_dict(self) -> dict[str, Any]:
        return {
            "gap": self.gap,
            "recent": self.recent,
            "hide_names": self.hide_names,
            "per_page": self.per_page,
            "ending_days": self.ending_days,
            "columns": list(self.columns),
            "hidden": list(self.hidden),
            "filters": self.filters.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ListSettings:
        data = data or {}
        gap = data.get("gap", 5)
        recent = data.get("recent", 0)
        ending = data.get("ending_days", ENDING_DAYS)
        return cls(
            gap=gap if isinstance(gap, int) and 0 <= gap <= 90 else 5,
            recent=recent if isinstance(recent, int) and 0 <= recent <= 14 else 0,
            hide_names=bool(data.get("hide_names", False)),
            per_page=data["per_page"] if data.get("per_page") in PAGE_SIZES else 100,
            columns=column_order(data.get("columns")),
            ending_days=ending if isinstance(ending, int) and 0 <= ending <= MAX_ENDING_DAYS else 7,
            hidden=[k for k in data.get("hidden") or [] if k in COLUMN_BY_KEY]
            if "hidden" in data
            else list(DEFAULT_HIDDEN),
            filters=Filters.from_dict(data.get("filters") or {}),
        )

    def visible_columns(self) -> list[Column]:
        shown = [COLUMN_BY_KEY[k] for k in self.columns if k not in self.hidden]
        if self.hide_names:
            shown = [c for c in shown if not c.identifying]
        return shown


def column_order(keys: Any) -> list[str]:
    """A full column order: known keys as given, then any missing in default order."""
    given = [k for k in keys or [] if isinstance(k, str) and k in COLUMN_BY_KEY]
    seen = list(dict.fromkeys(given))
    return seen + [k for k in DEFAULT_ORDER if k not in seen]


def move_column(order: Sequence[str], key: str, step: int, hidden: Iterable[str] = ()) -> list[str]:
    """Move a column one place left (step -1) or right (+1) past the next shown
    column (hidden ones are stepped over)."""
    keys = list(order)
    if key not in keys:
        return keys
    skip = set(hidden)
    i = keys.index(key)
    j = i + step
    while 0 <= j < len(keys) and keys[j] in skip:
        j += step
    if not 0 <= j < len(keys):
        return keys
    keys.insert(j, keys.pop(i))
    return keys
