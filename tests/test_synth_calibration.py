"""The generated region reproduces Försäkringskassan's published figures
(issue 3), as the product sees them: every line through the foundation's
validation, cases through the reference case engine."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from rehabkoll.cases.engine import Case
from rehabkoll.synth import calibration
from rehabkoll.synth.run import region_plan, synthesize

INSURED = 40_000
END = date(2024, 12, 31)
FIRST_DAY = date(2022, 1, 1)
DAYS = [END - timedelta(days=n) for n in (0, 91, 182, 273, 365, 546)]


@dataclass(frozen=True)
class Region:
    cases: list[Case]
    ongoing: list[calibration.OngoingFigures]
    truth: list[dict[str, str]]


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Region:
    folder = tmp_path_factory.mktemp("synth-calibration")
    out, truth = folder / "region.jsonl", folder / "truth.csv"
    plan = region_plan(insured=INSURED, years=3, end_date=END, seed=2024)
    synthesize(plan, out=out, truth=truth)
    with out.open(encoding="utf-8") as lines:
        certificates, revocations = calibration.parse_file(lines)
    cases = calibration.cases_of(certificates, revocations)
    ongoing = [calibration.ongoing(cases, insured=INSURED, day=day) for day in DAYS]
    with truth.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return Region(cases, ongoing, rows)


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def test_about_65_percent_of_ongoing_cases_are_womens(region: Region) -> None:
    assert mean([f.women_share for f in region.ongoing]) == pytest.approx(0.65, abs=0.04)


def test_about_48_percent_of_ongoing_cases_are_psychiatric(region: Region) -> None:
    assert mean([f.psychiatric_share for f in region.ongoing]) == pytest.approx(0.48, abs=0.05)


def test_about_17_percent_of_ongoing_cases_are_musculoskeletal(region: Region) -> None:
    assert mean([f.musculoskeletal_share for f in region.ongoing]) == pytest.approx(0.17, abs=0.04)


def test_35_to_40_percent_of_ongoing_cases_are_over_a_year_old(region: Region) -> None:
    assert 0.35 - 0.05 <= mean([f.over_365_share for f in region.ongoing]) <= 0.40 + 0.05


@pytest.mark.parametrize("index", range(len(DAYS)))
def test_about_2_8_percent_of_the_insured_are_on_sick_leave_on_a_day(
    region: Region, index: int
) -> None:
    assert region.ongoing[index].on_sick_leave_share == pytest.approx(0.028, abs=0.006)


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_net_days_per_insured_and_year_lie_between_8_and_13(region: Region, year: int) -> None:
    figures = calibration.year(region.cases, insured=INSURED, year=year)
    assert 8.0 <= figures.net_days_per_insured <= 13.0


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_about_5_percent_of_the_insured_start_a_case_each_year(region: Region, year: int) -> None:
    figures = calibration.year(region.cases, insured=INSURED, year=year)
    assert figures.new_cases_share == pytest.approx(0.05, abs=0.015)


def test_the_truth_file_has_one_row_per_case_the_engine_builds(region: Region) -> None:
    assert len(region.truth) == len(region.cases)
    engine = {(c.patient_id, c.start.isoformat()): c for c in region.cases}
    for row in region.truth:
        case = engine[(row["patient_id"], row["case_start"])]
        if row["censored"] == "False":
            assert case.days == int(row["planned_days"])
        else:
            assert case.days == int(row["covered_days"]) < int(row["planned_days"])


def test_the_truth_probabilities_match_the_outcomes_they_predict(region: Region) -> None:
    # Cases that started before the generated years are there because they lasted
    # into them (a sample biased to long cases); those that start inside are not.
    # Given the unobserved factor too, a case can be all but certain (0 or 1 to six decimals).
    assert all(0.0 <= float(r["p_over_90"]) <= 1.0 for r in region.truth)
    rows = [
        (float(r["p_over_90"]), r["over_90"] == "True")
        for r in region.truth
        if r["case_start"] >= FIRST_DAY.isoformat()
    ]
    assert mean([float(o) for _, o in rows]) == pytest.approx(mean([p for p, _ in rows]), abs=0.02)
    rows.sort()
    for k in range(5):  # each fifth of the cases, from the lowest risk to the highest
        part = rows[k * len(rows) // 5 : (k + 1) * len(rows) // 5]
        observed = mean([float(o) for _, o in part])
        assert observed == pytest.approx(mean([p for p, _ in part]), abs=0.04)


def test_the_risk_differs_enough_between_cases_to_be_worth_predicting(region: Region) -> None:
    risks = sorted(float(r["p_over_90"]) for r in region.truth)
    assert risks[len(risks) // 10] < 0.15
    assert risks[9 * len(risks) // 10] > 0.5


def test_the_truth_file_is_written_as_parquet_too(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    plan = region_plan(insured=2_000, years=1, end_date=END, seed=5)
    summary = synthesize(plan, out=tmp_path / "x.jsonl", truth=tmp_path / "truth.parquet")
    table = pq.read_table(tmp_path / "truth.parquet")
    assert table.num_rows == summary.truth_rows > 0
    assert table.schema.field("p_over_90").type == "double"


def test_the_oracle_matches_the_outcomes_of_cases_that_reached_day_15(region: Region) -> None:
    # The oracle: P(> 90 days | > 14 days, what a certificate and the history
    # show). Over the cases that started inside the window (not a sample biased
    # to long cases) and reached day 15 (the generator knows every outcome,
    # censored or not), its mean is the observed share, within 0.02 (about 3
    # standard errors for 6,000 cases), and in each fifth of the cases within 0.04.
    rows = sorted(
        (float(r["oracle_p15_over_90"]), r["over_90"] == "True")
        for r in region.truth
        if r["case_start"] >= FIRST_DAY.isoformat() and r["reached_day_15"] == "True"
    )
    assert len(rows) > 5000
    assert mean([float(o) for _, o in rows]) == pytest.approx(mean([p for p, _ in rows]), abs=0.02)
    for k in range(5):
        part = rows[k * len(rows) // 5 : (k + 1) * len(rows) // 5]
        assert mean([float(o) for _, o in part]) == pytest.approx(
            mean([p for p, _ in part]), abs=0.04
        )


def test_knowing_the_unobserved_factor_predicts_better_than_the_oracle(region: Region) -> None:
    # The full-knowledge probability ranks the outcomes better than the
    # oracle, which ranks them clearly better than chance: no model on the
    # certificates can be perfect, and there is something to learn.
    from sklearn.metrics import roc_auc_score

    rows = [
        r
        for r in region.truth
        if r["case_start"] >= FIRST_DAY.isoformat() and r["reached_day_15"] == "True"
    ]
    y = [r["over_90"] == "True" for r in rows]
    full = roc_auc_score(y, [float(r["p15_over_90"]) for r in rows])
    oracle = roc_auc_score(y, [float(r["oracle_p15_over_90"]) for r in rows])
    assert full > oracle + 0.05
    assert oracle > 0.65


def test_the_truth_file_says_what_the_generator_knew_at_the_start(region: Region) -> None:
    kinds = {r["unit_kind"] for r in region.truth}
    assert kinds == {"primary care", "psychiatry", "hospital clinic"}
    assert {r["degree_at_start"] for r in region.truth} == {"25", "50", "75", "100"}
    assert any(int(r["previous_days"]) > 14 for r in region.truth)
    # A case's 12 months of history lie inside the window only a year after its start.
    for r in region.truth:
        inside = date.fromisoformat(r["case_start"]) - timedelta(days=365) >= FIRST_DAY
        assert (r["history_complete"] == "True") == inside
