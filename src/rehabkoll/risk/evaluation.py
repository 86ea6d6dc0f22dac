"""Honest evaluation of a stored model on cases started in a later period:
ROC AUC, Brier score and expected calibration error, overall, for women and
men and per diagnosis group, each with its count; as JSON or as an HTML
report with a reliability plot (matplotlib)."""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import brier_score_loss, roc_auc_score

BINS = 10


def group_label(key: str) -> str:
    """A diagnosis group's Swedish name (``psychiatric`` → "Psykiatriska
    diagnoser (F)"), as the statistics name it; an unknown key as it is."""
    from rehabkoll.statistics.groups import DIAGNOSIS_GROUPS, OTHER

    labels = {r.group.key: r.group.label for r in DIAGNOSIS_GROUPS}
    labels[OTHER.key] = OTHER.label
    return labels.get(key, key)


Floats = npt.NDArray[np.float64]


def ece(y: Floats, p: Floats, bins: int = BINS) -> float | None:
    """Expected calibration error: over ``bins`` equal-width bins of the
    predicted probability, the share of cases in the bin times the absolute
    difference between its mean prediction and its observed share."""
    if len(y) == 0:
        return None
    which = np.minimum((p * bins).astype(np.int64), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() / len(y) * abs(float(p[inside].mean() - y[inside].mean()))
    return total


def figures(y: Floats, p: Floats) -> dict[str, Any]:
    """n, positives, auc (None with only one outcome), brier, ece."""
    n = len(y)
    both = n > 0 and 0 < y.sum() < n
    return {
        "n": n,
        "positives": int(y.sum()),
        "observed": float(y.mean()) if n else None,
        "predicted": float(p.mean()) if n else None,
        "auc": float(roc_auc_score(y, p)) if both else None,
        "brier": float(brier_score_loss(y, p)) if n else None,
        "ece": ece(y, p),
    }


def report(
    y: Sequence[int],
    p: Sequence[float],
    sexes: Sequence[str],
    groups: Sequence[str],
    *,
    model_version: int,
    meta: dict[str, Any],
) -> dict[str, Any]:
    ys = np.asarray(y, dtype=np.float64)
    ps = np.asarray(p, dtype=np.float64)
    sex = np.asarray(sexes, dtype=object)
    group = np.asarray(groups, dtype=object)
    result = figures(ys, ps)
    result["model_version"] = model_version
    result.update(meta)
    result["by_sex"] = {s: dict(figures(ys[sex == s], ps[sex == s]).items()) for s in ("F", "M")}
    result["by_diagnosis_group"] = {
        g: figures(ys[group == g], ps[group == g]) for g in sorted(set(group.tolist()))
    }
    result["reliability"] = reliability(ys, ps)
    return result


ORACLE_COLUMN = "oracle_p15_over_90"
"""The truth file's column (``rehabkoll synth --truth``) with the best
probability a model can reach: P(> 90 days | > 14 days, what a certificate
and the history show), the unobserved factor integrated out."""


def read_truth(path: Path) -> dict[tuple[str, str], float]:
    """(patient id, case start YYYY-MM-DD) → the oracle's probability, from a
    truth file written as CSV or Parquet."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=["patient_id", "case_start", ORACLE_COLUMN])
        columns = table.to_pydict()
        return {
            (str(pid), start.isoformat()): float(p)
            for pid, start, p in zip(
                columns["patient_id"], columns["case_start"], columns[ORACLE_COLUMN], strict=True
            )
        }
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        if reader.fieldnames is None or ORACLE_COLUMN not in reader.fieldnames:
            raise ValueError(f"{path.name}: no column {ORACLE_COLUMN} (not a truth file of synth?)")
        return {(r["patient_id"], r["case_start"]): float(r[ORACLE_COLUMN]) for r in reader}


def add_oracle(
    result: dict[str, Any],
    keys: Sequence[tuple[str, str]],
    y: Sequence[int],
    sexes: Sequence[str],
    truth: dict[tuple[str, str], float],
) -> None:
    """Add the oracle's figures on the same cases (those found in the truth
    file) and the gap of the model's AUC to it: ``oracle_auc``, ``auc_gap``
    (oracle minus model; at best 0, by chance a little below), overall and in
    ``by_sex``, and ``oracle`` with the counts, Brier score and ECE."""
    found = [k for k, key in enumerate(keys) if key in truth]
    ys = np.asarray([y[k] for k in found], dtype=np.float64)
    ps = np.asarray([truth[keys[k]] for k in found], dtype=np.float64)
    sex = np.asarray([sexes[k] for k in found], dtype=object)
    oracle = figures(ys, ps)
    oracle["matched"] = len(found)
    oracle["unmatched"] = len(keys) - len(found)
    result["oracle"] = oracle
    result["oracle_auc"] = oracle["auc"]
    result["auc_gap"] = _gap(oracle["auc"], result.get("auc"))
    for s in ("F", "M"):
        mine = figures(ys[sex == s], ps[sex == s])
        part = result["by_sex"][s]
        part["oracle_auc"] = mine["auc"]
        part["oracle_ece"] = mine["ece"]
        part["auc_gap"] = _gap(mine["auc"], part.get("auc"))


def _gap(oracle: float | None, model: float | None) -> float | None:
    return None if oracle is None or model is None else oracle - model


def reliability(y: Floats, p: Floats, bins: int = BINS) -> list[dict[str, Any]]:
    which = np.minimum((p * bins).astype(np.int64), bins - 1)
    rows = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            rows.append(
                {
                    "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                    "n": int(inside.sum()),
                    "predicted": float(p[inside].mean()),
                    "observed": float(y[inside].mean()),
                }
            )
    return rows


def _plot(result: dict[str, Any]) -> str:
    """The reliability plot as a PNG data URL."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", label="Perfekt kalibrering")
    rows = result["reliability"]
    ax.plot(
        [r["predicted"] for r in rows],
        [r["observed"] for r in rows],
        marker="o",
        color="#1f4e79",
        label="Modellen",
    )
    ax.set_xlabel("Förutsagd andel > 90 dagar")
    ax.set_ylabel("Observerad andel > 90 dagar")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    ax.set_title("Kalibrering")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _num(value: Any, decimals: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u00a0")
    return f"{value:.{decimals}f}".replace(".", ",")


_STYLE = (
    "body{font-family:sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse}"
    "td,th{padding:.3rem .6rem;border-bottom:1px solid #ccc;text-align:right}"
    "th:first-child{text-align:left}img{max-width:100%}"
)
_HEAD = "".join(f"<th>{h}</th>" for h in ("Grupp", "Antal", "Långa", "AUC", "Brier", "ECE"))
_ALT = (
    "Förutsagd mot observerad andel sjukfall längre än 90 dagar, "
    "i tiondelar av den förutsagda risken"
)


def _line(name: str, f: dict[str, Any]) -> str:
    cells = [_num(f[k]) for k in ("n", "positives", "auc", "brier", "ece")]
    return f"<tr><th>{html.escape(name)}</th>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _oracle_html(result: dict[str, Any]) -> str:
    """On synthetic data (``--truth``): the oracle's AUC beside the model's."""
    if "oracle_auc" not in result:
        return ""
    parts = [("Alla", result), ("Kvinnor", result["by_sex"]["F"]), ("Män", result["by_sex"]["M"])]
    cells = "".join(
        f"<tr><th>{name}</th><td>{_num(f.get('auc'))}</td><td>{_num(f.get('oracle_auc'))}</td>"
        f"<td>{_num(f.get('auc_gap'))}</td></tr>"
        for name, f in parts
    )
    return (
        "<h2>Jämfört med oraklet (syntetiska data)</h2>\n"
        "<p>Oraklet är den bästa sannolikhet en modell kan nå med det intyg och den historik "
        "som syns: generatorns exakta risk med den okända individuella faktorn "
        f"bortintegrerad. {_num(result['oracle']['matched'])} fall fanns i sanningsfilen.</p>\n"
        "<table><tr><th>Grupp</th><th>AUC modellen</th><th>AUC oraklet</th>"
        f"<th>Skillnad</th></tr>{cells}</table>\n"
    )


def to_html(result: dict[str, Any]) -> str:
    """A standalone HTML page (Swedish, decimal commas) with the plot inline."""
    rows = [_line("Alla", result)]
    rows += [_line({"F": "Kvinnor", "M": "Män"}[s], f) for s, f in result["by_sex"].items()]
    rows += [_line(group_label(g), f) for g, f in result["by_diagnosis_group"].items()]
    esc = {k: html.escape(str(result.get(k, ""))) for k in ("from", "to", "as_of", "trained_as_of")}
    version = result["model_version"]
    return (
        '<!doctype html>\n<html lang="sv"><head><meta charset="utf-8">\n'
        f"<title>Utvärdering av riskmodell version {version}</title>\n"
        f"<style>{_STYLE}</style></head><body>\n"
        "<h1>Risk för sjukfall längre än 90 dagar: utvärdering</h1>\n"
        f"<p>Modellversion {version}, tränad på utfall kända {esc['trained_as_of']}. "
        f"Sjukfall som började {esc['from']}–{esc['to']}, utfall kända {esc['as_of']}; "
        f"pågående fall utan känt utfall är inte med ({_num(result.get('censored'))} st).</p>\n"
        f"<table><tr>{_HEAD}</tr>{''.join(rows)}</table>\n"
        f"{_oracle_html(result)}"
        "<h2>Kalibrering</h2>\n"
        f'<img src="{_plot(result)}" alt="{_ALT}">\n'
        "</body></html>\n"
    )
