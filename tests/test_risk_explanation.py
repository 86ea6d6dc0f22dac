"""The explanation a coordinator reads: facts in plain Swedish, the
contributions of the features of one fact added up before ranking, so one
fact never both raises and lowers the risk."""

from __future__ import annotations

import re

from rehabkoll.risk import explanation, features, model
from tests.test_risk import _synthetic

ROW: dict[str, str | int] = {
    "age_band": "50-59",
    "age": 59,
    "sex": "F",
    "diagnosis": "F43",
    "diagnosis_group": "psychiatric",
    "chapter": "F00-F99",
    "degree_at_start": "100",
    "occupation": "JOB_SEEKER",
    "unit_kind": "psychiatry",
    "care_provider": "P",
    "previous_long": "91-180",
    "secondary_diagnoses": 2,
    "previous_12m": 1,
    "previous_12m_days": 120,
    "cases_3y": 2,
    "previous_long_days": 120,
}


def test_the_features_of_one_fact_are_added_up_before_ranking() -> None:
    # Age in years raises (+0.30), the age band lowers (-0.10): one fact, age,
    # that raises by 0.20, shown once. Job seeking raises by 0.50, part of the
    # earlier sick leave raises (0.15 + 0.10 = 0.25), the unit kind lowers by
    # 0.22, the sex by 0.01. Ranked by size: 0.50, 0.25, 0.22 (0.20 is fourth).
    contributions = {
        "age": 0.30,
        "age_band": -0.10,
        "occupation": 0.50,
        "previous_long": 0.15,
        "previous_long_days": 0.10,
        "unit_kind": -0.22,
        "sex": -0.01,
    }
    assert explanation.texts(contributions, ROW) == (
        "arbetssökande: höjer",
        "sjukfall på 120 dagar de senaste 12 månaderna: höjer",
        "intyget skrivet vid psykiatrisk mottagning: sänker",
    )
    assert explanation.texts(contributions, ROW, top=4)[3] == "ålder 59 år: höjer"


def test_facts_that_cancel_out_or_count_nothing_are_left_out() -> None:
    # The diagnosis's own columns are the diagnosis average's too, so they add
    # nothing; age +0.2 and -0.2 cancel out.
    contributions = {"diagnosis": 0.0, "age": 0.2, "age_band": -0.2, "secondary_diagnoses": -0.4}
    assert explanation.texts(contributions, ROW) == ("2 bidiagnoser: sänker",)


def test_every_fact_reads_as_swedish() -> None:
    no_history = {
        **ROW,
        "previous_long": "none",
        "previous_long_days": 0,
        "previous_12m": 0,
        "previous_12m_days": 0,
        "cases_3y": 0,
    }
    said = {fact: explanation.describe(fact, no_history) for fact, _ in explanation.FACTS}
    assert said == {
        "age": "ålder 59 år",
        "sex": "kvinna",
        "diagnosis": "diagnos F43",
        "secondary": "2 bidiagnoser",
        "degree": "sjukskrivning på 100 % vid start",
        "occupation": "arbetssökande",
        "unit_kind": "intyget skrivet vid psykiatrisk mottagning",
        "care_provider": "vårdgivaren",
        "previous_long": "inget sjukfall över 14 dagar de senaste 12 månaderna",
        "previous": "inga tidigare sjukfall de senaste tre åren",
    }
    assert explanation.describe("previous", ROW) == (
        "1 tidigare sjukfall senaste 12 månaderna, 2 senaste tre åren"
    )


def test_every_feature_belongs_to_exactly_one_fact() -> None:
    named = [name for _, names in explanation.FACTS for name in names]
    assert sorted(named) == sorted(features.FEATURES)


def test_a_trained_models_explanation_has_no_codes_and_each_fact_once() -> None:
    trained = model.train(_synthetic(2000, seed=5), seed=1)
    rows = [features.completed(dict(e.features)) for e in _synthetic(40, seed=9)]
    for row, reasons in zip(rows, model.explain_all(trained, rows, top=99), strict=True):
        contributions = {r.feature: r.contribution for r in reasons}
        said = explanation.texts(contributions, row)
        assert 1 <= len(said) <= 3
        for text in said:
            assert re.fullmatch(
                r"[^A-Z_]+: (höjer|sänker)", text.replace("F32", "").replace("M54", "")
            )
        # One line per fact.
        assert len({t.rsplit(":", 1)[0] for t in said}) == len(said)
