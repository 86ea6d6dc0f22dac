"""The evaluation report of ``risk evaluate --format pdf``: the same figures as
the HTML report (``evaluation.to_html``), in Swedish, with two plots drawn by
matplotlib (the library of the HTML report): the reliability plot and AUC and
calibration error for women, men and each diagnosis group. The PDF itself is
written by fpdf2, as the statistics' monthly report (``statistics.pdf``)."""

from __future__ import annotations

import io
from typing import Any

from fpdf import FPDF

from rehabkoll.lib.formats import number
from rehabkoll.risk.evaluation import group_label
from rehabkoll.statistics.pdf import latin1

SEXES = {"F": "Kvinnor", "M": "Män"}
WIDTHS = (62, 22, 22, 22, 22, 22)
NEXT_LINE: dict[str, Any] = {"new_x": "LMARGIN", "new_y": "NEXT"}
HEADS = ("Grupp", "Antal", "Långa", "AUC", "Brier", "ECE")


def _figure() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def reliability_png(result: dict[str, Any]) -> bytes:
    """Predicted against observed share of long cases per tenth of the predicted risk."""
    plt = _figure()
    fig, ax = plt.subplots(figsize=(5.5, 5), dpi=150)
    ax.plot([0, 1], [0, 1], linestyle="--", color="#666666", label="Perfekt kalibrering")
    rows = result["reliability"]
    ax.plot(
        [r["predicted"] for r in rows],
        [r["observed"] for r in rows],
        marker="o",
        color="#1f4e79",
        label="Modellen",
    )
    for r in rows:
        ax.annotate(
            str(r["n"]),
            (r["predicted"], r["observed"]),
            fontsize=7,
            xytext=(4, -10),
            textcoords="offset points",
        )
    ax.set_xlabel("Förutsagd andel > 90 dagar")
    ax.set_ylabel("Observerad andel > 90 dagar")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    ax.set_title("Kalibrering (talen: antal sjukfall)")
    return _png(plt, fig)


def groups_png(result: dict[str, Any]) -> bytes:
    """AUC and expected calibration error for everyone, women, men and each
    diagnosis group; a group without an AUC (one outcome only) has no bar."""
    plt = _figure()
    rows = _rows(result)
    names = [name for name, _ in rows]
    auc = [f["auc"] if f["auc"] is not None else 0.0 for _, f in rows]
    ece = [f["ece"] if f["ece"] is not None else 0.0 for _, f in rows]
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(8, 0.35 * len(rows) + 1.5), dpi=150, sharey=True
    )
    positions = list(range(len(rows)))
    left.barh(positions, auc, color="#1f4e79")
    left.axvline(0.5, linestyle="--", color="#666666")
    left.set_xlim(0, 1)
    left.set_title("AUC (0,5 = slump)")
    left.set_yticks(positions, names)
    left.invert_yaxis()
    right.barh(positions, ece, color="#b35900")
    right.set_title("Kalibreringsfel (ECE)")
    right.set_xlim(0, max([0.1, *ece]) * 1.1)
    return _png(plt, fig)


def _png(plt: Any, fig: Any) -> bytes:
    from matplotlib.ticker import FuncFormatter

    comma = FuncFormatter(lambda value, _: f"{value:g}".replace(".", ","))
    for ax in fig.axes:  # Swedish decimal commas on the axes
        ax.xaxis.set_major_formatter(comma)
        if ax.get_ylabel():
            ax.yaxis.set_major_formatter(comma)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _rows(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [("Alla", result)]
    rows += [(SEXES[s], f) for s, f in result["by_sex"].items() if s in SEXES]
    rows += [(group_label(g), f) for g, f in result["by_diagnosis_group"].items()]
    return rows


def _num(value: Any, decimals: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return number(value)
    return number(value, decimals)


def to_pdf(result: dict[str, Any]) -> bytes:
    """The report as PDF bytes: a summary, the table, and the two plots."""
    version = result["model_version"]
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(f"Utvärdering av riskmodell version {version}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, latin1("Risk för sjukfall längre än 90 dagar: utvärdering"), **NEXT_LINE)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        5,
        latin1(
            f"Modellversion {version}, tränad på utfall kända {result.get('trained_as_of', '')}. "
            f"Sjukfall som började {result.get('from', '')}–{result.get('to', '')}, utfall kända "
            f"{result.get('as_of', '')}; pågående fall utan känt utfall är inte med "
            f"({_num(result.get('censored'))} st). "
            + (
                "Perioden ligger efter träningen (temporal validering)."
                if result.get("temporal")
                else "Perioden ligger inte efter träningen: detta är ingen temporal validering."
            )
        ),
        **NEXT_LINE,
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 9)
    for width, head in zip(WIDTHS, HEADS, strict=True):
        pdf.cell(width, 6, latin1(head), border="B", align="L" if head == "Grupp" else "R")
    pdf.ln()
    for name, f in _rows(result):
        pdf.set_font("Helvetica", "B" if name == "Alla" else "", 9)
        cells = (name, *(_num(f[k]) for k in ("n", "positives", "auc", "brier", "ece")))
        for width, value in zip(WIDTHS, cells, strict=True):
            pdf.cell(width, 5, latin1(value), align="L" if width == WIDTHS[0] else "R")
        pdf.ln()
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(
        0,
        4,
        latin1(
            "AUC: sannolikheten att ett långt sjukfall får högre risk än ett kort (0,5 = slump). "
            "Brier: medelkvadratfelet för sannolikheten. ECE: förväntat kalibreringsfel, över tio "
            "lika breda intervall av den förutsagda risken, vägt med andelen sjukfall i varje."
        ),
        **NEXT_LINE,
    )
    _image(pdf, "Kalibrering", reliability_png(result), 120)
    _image(pdf, "AUC och kalibreringsfel per grupp", groups_png(result), 180)
    return bytes(pdf.output())


def _image(pdf: FPDF, title: str, png: bytes, width: float) -> None:
    """A plot with its heading, on a new page when the heading would stand alone."""
    if pdf.get_y() > 170:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(png), w=width)
