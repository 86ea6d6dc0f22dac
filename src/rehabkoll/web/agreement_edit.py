"""Editing a year's agreement field by field (the national coordinator):
the facts, each condition with its indicators and thresholds, each part with
its instalments; adding and removing conditions and parts. Every form is
checked by the agreement's own rules (``rehabkoll.agreement.editing``, the
model the JSON Schema is made from); on a problem the page comes back with
everything as typed and the problem, in Swedish, beside its field. Each save
is logged with what changed; decisions are never touched, and a condition
with a published decision cannot be removed or renumbered."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rehabkoll.agreement import access, editing, service
from rehabkoll.agreement.document import PartKind
from rehabkoll.agreement.errors import NotFoundError, PublishedError
from rehabkoll.agreement.indicators import INDICATORS
from rehabkoll.agreement.models import Agreement
from rehabkoll.web.deps import CurrentUser, SessionDep, Viewer, check_csrf, render
from rehabkoll.web.forms import FormState

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

CHANGED_ELSEWHERE = (
    "Överenskommelsen har ändrats av någon annan sedan du öppnade sidan. Det du skrev "
    "finns kvar nedan; jämför med det som nu gäller och spara igen."
)
_DIGITS = re.compile(r"^-?\d+$")


class _Reader:
    """A posted form's values as the document's types; problems by field name."""

    def __init__(self, data: FormData) -> None:
        self.data = data
        self.problems: dict[str, str] = {}

    def text(self, name: str) -> str:
        value = self.data.get(name)
        return value.strip() if isinstance(value, str) else ""

    def integer(self, name: str, label: str) -> int | None:
        text = re.sub(r"[\s\u00a0]", "", self.text(name))
        if not text:
            return None
        if not _DIGITS.match(text):
            self.problems[name] = f"{label}: skriv ett heltal i kronor, t.ex. 500 000 000"
            return None
        return int(text)

    def number(self, name: str, label: str) -> float | None:
        text = self.text(name).replace(",", ".").replace(" ", "")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            self.problems[name] = f"{label}: skriv ett tal, t.ex. 80 eller 12,5"
            return None

    def day(self, name: str) -> str | None:
        return self.text(name) or None


def _national(session: SessionDep, viewer: Viewer, year: int) -> Agreement:
    access.check_national(viewer.role)
    return service.get(session, year=year)


def _page(
    request: Request, session: SessionDep, viewer: Viewer, agreement: Agreement, *,
    state: FormState | None = None, status_code: int = 200, saved: str = "",
) -> Response:  # fmt: skip
    document = service.document_of(agreement)
    decided = {
        d.condition for d in service.decisions(session, year=agreement.year) if d.published_at
    }
    return render(
        request, "agreement/edit.html", viewer,
        title=f"Redigera överenskommelsen {agreement.year}", nav="agreement",
        agreement=agreement, document=document, state=state or FormState(),
        version=agreement.updated_at.isoformat(), kinds=list(PartKind),
        indicators=INDICATORS, decided=decided, saved=saved, status_code=status_code,
    )  # fmt: skip


@router.get("/agreement/{year}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request, session: SessionDep, viewer: CurrentUser, year: int, saved: str = ""
) -> Response:
    return _page(request, session, viewer, _national(session, viewer, year), saved=saved)


FieldOf = Callable[[editing.Location], str | None]
Change = Callable[[dict[str, Any], _Reader], tuple[str, Callable[[editing.Location], str | None]]]
"""Applies the posted form to the document's data: (the log's words for the
change, the form field a document location belongs to, None: not this form)."""


async def _save(
    request: Request, session: SessionDep, viewer: Viewer, year: int, form: str, change: Change
) -> Response:
    agreement = _national(session, viewer, year)
    data = await request.form()
    reader = _Reader(data)
    before = service.document_of(agreement)
    if reader.text("version") != agreement.updated_at.isoformat():
        state = FormState.of(form, data, {}, CHANGED_ELSEWHERE)
        return _page(request, session, viewer, agreement, state=state, status_code=409)
    document = before.model_dump(mode="json")
    what, field_of = change(document, reader)
    errors = dict(reader.problems)
    message = errors.pop("_form", "")
    # The rest of the form is checked too, so every problem shows at once.
    try:
        after = editing.validate(document)
    except editing.EditProblemsError as problems:
        for location, text in problems.problems.items():
            name = field_of(location)
            if name is None:
                message = message or text
            else:
                errors.setdefault(name, text)
    else:
        if not errors and not message:
            try:
                changed = editing.changes(before, after)
                if changed:
                    detail = f"överenskommelse {year} ändrad ({what}): " + "; ".join(changed)
                    service.import_document(
                        session, document=after, user=viewer.user, detail=detail
                    )
            except PublishedError as error:
                message = str(error)
            else:
                session.commit()
                return RedirectResponse(
                    f"/agreement/{year}/edit?saved={form}#{form}", status_code=303
                )
    session.rollback()
    state = FormState.of(form, data, errors, message)
    return _page(request, session, viewer, agreement, state=state, status_code=422)


FACTS = ("title", "signed", "total", "key_date", "unearned", "note", "sources")


@router.post("/agreement/{year}/edit/facts")
async def save_facts(
    request: Request, session: SessionDep, viewer: CurrentUser, year: int
) -> Response:
    def change(
        document: dict[str, Any], r: _Reader
    ) -> tuple[str, Callable[[editing.Location], str | None]]:
        document.update(
            title=r.text("title"),
            signed=r.day("signed"),
            total=r.integer("total", "Totalbelopp"),
            key_date=r.day("key_date"),
            unearned=r.text("unearned"),
            note=r.text("note"),
            sources=[line.strip() for line in r.text("sources").splitlines() if line.strip()],
        )

        def field(location: editing.Location) -> str | None:
            if location and location[0] in FACTS:
                return str(location[0])
            if location == ("parts",):
                return "total"
            return None

        return "uppgifter", field

    return await _save(request, session, viewer, year, "facts", change)


def _index(r: _Reader, name: str, count: int) -> int | None:
    """The posted position of an existing item, None for a new one."""
    text = r.text(name)
    if text == "new":
        return None
    if not text.isdigit() or int(text) >= count:
        raise NotFoundError("inget sådant villkor eller sådan del")
    return int(text)


@router.post("/agreement/{year}/edit/condition")
async def save_condition(
    request: Request, session: SessionDep, viewer: CurrentUser, year: int
) -> Response:
    data = await request.form()
    key = data.get("index")
    form = f"condition-{key}" if isinstance(key, str) else "condition-new"

    def change(
        document: dict[str, Any], r: _Reader
    ) -> tuple[str, Callable[[editing.Location], str | None]]:
        conditions: list[dict[str, Any]] = document["conditions"]
        index = _index(r, "index", len(conditions))
        rows: list[int] = []
        rules: list[dict[str, Any]] = []
        for row in range(int(r.text("rows") or 0) + 1):
            indicator = r.text(f"ind-{row}-indicator")
            if not indicator:
                continue
            rows.append(row)
            rules.append(
                {
                    "indicator": indicator,
                    "comparison": r.text(f"ind-{row}-comparison") or ">=",
                    "threshold": r.number(f"ind-{row}-threshold", "Tröskel"),
                }
            )
        item = {
            "number": r.text("number"),
            "title": r.text("title"),
            "asks": r.text("asks"),
            "evidence": r.text("evidence"),
            "deadline": r.day("deadline"),
            "indicators": rules,
        }
        if index is None:
            conditions.append(item)
            index = len(conditions) - 1
            what = f"villkor {item['number']} tillagt"
        else:
            old_number = conditions[index]["number"]
            for part in document["parts"]:
                if part.get("condition") == old_number:
                    part["condition"] = item["number"]  # a renumbered condition keeps its parts
            conditions[index] = item
            what = f"villkor {old_number}"
        position = index

        def field(location: editing.Location) -> str | None:
            if location[:2] != ("conditions", position) or len(location) < 3:
                return None
            if location[2] == "indicators":
                if len(location) >= 5:
                    return f"ind-{rows[int(location[3])]}-{location[4]}"
                return None  # about the list: said above the form
            return str(location[2])

        return what, field

    return await _save(request, session, viewer, year, form, change)


@router.post("/agreement/{year}/edit/part")
async def save_part(
    request: Request, session: SessionDep, viewer: CurrentUser, year: int
) -> Response:
    data = await request.form()
    key = data.get("index")
    form = f"part-{key}" if isinstance(key, str) else "part-new"

    def change(
        document: dict[str, Any], r: _Reader
    ) -> tuple[str, Callable[[editing.Location], str | None]]:
        parts: list[dict[str, Any]] = document["parts"]
        index = _index(r, "index", len(parts))
        rows: list[int] = []
        instalments: list[dict[str, Any]] = []
        for row in range(int(r.text("rows") or 0) + 1):
            names = (f"inst-{row}-date", f"inst-{row}-amount", f"inst-{row}-note")
            if not any(r.text(n) for n in names):
                continue
            rows.append(row)
            instalments.append(
                {
                    "date": r.day(names[0]),
                    "amount": r.integer(names[1], "Belopp"),
                    "note": r.text(names[2]),
                }
            )
        item: dict[str, Any] = {
            "id": r.text("id"),
            "kind": r.text("kind"),
            "title": r.text("title"),
            "amount": r.integer("amount", "Belopp"),
            "condition": r.text("condition") or None,
            "recipient": r.text("recipient"),
            "note": r.text("note"),
            "instalments": instalments,
        }
        if index is None:
            parts.append(item)
            index = len(parts) - 1
            what = f"del {item['id']} tillagd"
        else:
            item["variable"] = parts[index].get("variable")  # not edited here
            what = f"del {parts[index]['id']}"
            parts[index] = item
        position = index

        def field(location: editing.Location) -> str | None:
            if location[:2] != ("parts", position) or len(location) < 3:
                return None
            if location[2] == "instalments":
                if len(location) >= 5:
                    return f"inst-{rows[int(location[3])]}-{location[4]}"
                return None  # about the list: said above the form
            return str(location[2])

        return what, field

    return await _save(request, session, viewer, year, form, change)


@router.post("/agreement/{year}/edit/remove")
async def remove_item(
    request: Request, session: SessionDep, viewer: CurrentUser, year: int
) -> Response:
    data = await request.form()
    kind = data.get("what")
    key = data.get("index")
    form = f"{kind}-{key}" if isinstance(kind, str) and isinstance(key, str) else "facts"

    def change(
        document: dict[str, Any], r: _Reader
    ) -> tuple[str, Callable[[editing.Location], str | None]]:
        group = "conditions" if r.text("what") == "condition" else "parts"
        items: list[dict[str, Any]] = document[group]
        index = _index(r, "index", len(items))
        if index is None:
            raise NotFoundError("inget sådant villkor eller sådan del")
        removed = items.pop(index)
        name = removed["number"] if group == "conditions" else removed["id"]
        users = [
            p["id"]
            for p in document["parts"]
            if group == "conditions" and p.get("condition") == name
        ]
        if users:
            r.problems["_form"] = (
                f"Villkor {name}: delen {', '.join(users)} hör till villkoret; "
                "ta bort delen eller koppla den till ett annat villkor först"
            )
        return (
            f"villkor {name} borttaget" if group == "conditions" else f"del {name} borttagen"
        ), (lambda location: None)

    return await _save(request, session, viewer, year, form, change)
