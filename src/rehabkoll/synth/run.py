"""One generation run: regions, their populations, and chunk after chunk of
cases and certificates streamed to the writers.

Everything random comes from numpy Generators seeded with ``[seed, county
code, purpose, chunk]``, so a run is a function of its arguments alone and
chunks could be made in any order. Memory is bounded by the populations (a
few bytes per insured person) plus one chunk of ``CHUNK_PEOPLE`` people.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from rehabkoll.synth import model, regions
from rehabkoll.synth.cases import CODES, Cases, draw_cases, probabilities
from rehabkoll.synth.certificates import Cert, CertificateMaker, Layout
from rehabkoll.synth.options import DEFAULT_REGION, OutputFormat
from rehabkoll.synth.population import Population, assign_serials, date_of, day_of, draw_population
from rehabkoll.synth.writers import JsonlWriter, ParquetPeriodsWriter, Patients, TruthWriter

CHUNK_PEOPLE = 100_000
_POPULATION, _CASES = 0, 1


@dataclass(frozen=True, slots=True)
class Plan:
    """What to generate: which regions with how many insured, over which years."""

    regions: tuple[tuple[regions.RegionFacts, int], ...]
    end_date: date
    years: int
    seed: int

    @property
    def insured(self) -> int:
        return sum(count for _, count in self.regions)

    @property
    def first_date(self) -> date:
        """The first day of the requested window (``years`` whole years before the end)."""
        try:
            back = self.end_date.replace(year=self.end_date.year - self.years)
        except ValueError:  # 29 February
            back = self.end_date.replace(year=self.end_date.year - self.years, day=28)
        return back + timedelta(days=1)


def region_plan(
    *, insured: int, years: int, end_date: date, seed: int, region: str = DEFAULT_REGION
) -> Plan:
    return Plan(((regions.find(region), insured),), end_date, years, seed)


def country_plan(*, insured: int, years: int, end_date: date, seed: int) -> Plan:
    counts = regions.split_insured(insured)
    return Plan(tuple(zip(regions.REGIONS, counts, strict=True)), end_date, years, seed)


@dataclass
class Summary:
    insured: int = 0
    regions: int = 0
    cases: int = 0
    certificates: int = 0
    revocations: int = 0
    test_certificates: int = 0
    replacements: int = 0
    periods: int = 0
    lines: int = 0
    truth_rows: int = 0
    first_date: date | None = None
    end_date: date | None = None


def build_populations(plan: Plan) -> list[tuple[regions.Region, Population]]:
    """Each region of ``plan`` with its insured people (the same every time)."""
    end_day = day_of(plan.end_date)
    lookback = end_day - day_of(plan.first_date) + model.MAX_CASE_DAYS + 366
    built: list[tuple[regions.Region, Population]] = []
    for facts, insured in plan.regions:
        rng = np.random.default_rng([plan.seed, facts.county_code, _POPULATION])
        region = regions.build_region(facts, insured, rng)
        built.append((region, draw_population(region, rng, end_day, lookback)))
    return built


def synthesize(
    plan: Plan,
    *,
    out: Path | None,
    output_format: OutputFormat = OutputFormat.jsonl,
    truth: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Generate ``plan`` into ``out`` (None: standard output, JSON Lines only).

    ``progress(done, total)`` is called after each chunk with the number of
    people (insured and their predecessors) done so far and in all.
    """
    end_day = day_of(plan.end_date)
    first_day = day_of(plan.first_date)
    built = build_populations(plan)
    assign_serials([population for _, population in built])
    people_total = sum(len(population) for _, population in built)
    people_done = 0

    summary = Summary(
        insured=plan.insured,
        regions=len(built),
        first_date=plan.first_date,
        end_date=plan.end_date,
    )
    with ExitStack() as stack:
        jsonl = parquet = None
        if output_format is OutputFormat.parquet:
            if out is None:
                raise ValueError("Parquet output needs a file")
            parquet = stack.enter_context(ParquetPeriodsWriter(out))
        else:
            jsonl = stack.enter_context(JsonlWriter(out))
        truth_writer = stack.enter_context(TruthWriter(truth)) if truth else None
        for region, population in built:
            for chunk, lo in enumerate(range(0, len(population), CHUNK_PEOPLE)):
                people = population.slice(lo, lo + CHUNK_PEOPLE)
                cases, layout = generate_chunk(
                    region,
                    people,
                    chunk=chunk,
                    seed=plan.seed,
                    first_day=first_day,
                    end_day=end_day,
                )
                patients = Patients(people)
                if jsonl is not None:
                    jsonl.write(region, patients, layout.certs)
                if parquet is not None:
                    parquet.write(region, patients, layout.certs)
                rows = truth_rows(region, patients, cases, layout, first_day)
                if truth_writer is not None:
                    truth_writer.write(rows)
                _count(summary, layout, len(rows))
                people_done += len(people)
                if progress is not None:
                    progress(people_done, people_total)
        summary.lines = jsonl.lines if jsonl else 0
        summary.periods = parquet.rows if parquet else 0
        summary.truth_rows = truth_writer.rows if truth_writer else 0
    return summary


def generate_chunk(
    region: regions.Region,
    people: Population,
    *,
    chunk: int,
    seed: int,
    first_day: int,
    end_day: int,
) -> tuple[Cases, Layout]:
    """The cases of one chunk of people that touch the window, and their certificates."""
    rng = np.random.default_rng([seed, region.county_code, _CASES, chunk])
    cases = draw_cases(people, first_day=first_day - model.MAX_CASE_DAYS, last_day=end_day, rng=rng)
    touching = (cases.start + cases.span - 1 >= first_day) & (cases.start <= end_day)
    cases = cases.take(np.flatnonzero(touching))
    maker = CertificateMaker(
        region=region,
        population=people,
        end_day=end_day,
        id_prefix=f"syn-{region.county_code:02d}-{chunk:03d}-",
        rr=random.Random(int(rng.integers(0, 2**63))),
    )
    return cases, maker.make(cases)


def truth_rows(
    region: regions.Region,
    patients: Patients,
    cases: Cases,
    layout: Layout,
    first_day: int | None = None,
) -> list[tuple[Any, ...]]:
    """One row per case with at least one issued certificate: what the
    generator knew of it, the exact probabilities of its lasting more than 90
    days (given everything drawn at its start, and the oracle: given only what
    a certificate and the history show), its outcome and whether it is censored.

    ``history_complete`` is False for a case whose 12 months before the start
    reach back before ``first_day`` (the generated window), where earlier
    cases are not in the output."""
    if first_day is None:
        first_day = int(cases.start.min(initial=0))
    first: dict[int, Cert] = {}
    for cert in layout.certs:
        if cert.effective and cert.case >= 0:
            known = first.get(cert.case)
            if known is None or cert.periods[0][0] < known.periods[0][0]:
                first[cert.case] = cert
    observed = probabilities(90, cases, observed_only=True).tolist()
    full_15 = probabilities(90, cases, reached=14, observed_only=False).tolist()
    oracle_15 = probabilities(90, cases, reached=14, observed_only=True).tolist()
    kinds = np.where(cases.at_clinic, np.where(cases.group == 0, 1, 2), 0).tolist()
    complete = (cases.start - model.PREVIOUS_WINDOW_DAYS >= first_day).tolist()
    rows = []
    for index in sorted(first):
        person = int(cases.person[index])
        planned = int(cases.days[index])
        covered = layout.covered[index]
        rows.append(
            (
                patients.number(person),
                region.provider_id,
                date_of(int(cases.start[index])),
                first[index].id,
                patients.sex(person),
                int(cases.age[index]),
                model.GROUP_KEYS[int(cases.group[index])],
                CODES[int(cases.code[index])],
                model.OCCUPATIONS[int(cases.occupation[index])],
                float(cases.p_over_90[index]),
                planned,
                planned > 90,
                covered,
                covered < planned,
                observed[index],
                full_15[index],
                oracle_15[index],
                planned > 14,
                int(cases.degree[index]),
                model.UNIT_KINDS[kinds[index]],
                int(cases.previous_days[index]),
                complete[index],
            )
        )
    return rows


def _count(summary: Summary, layout: Layout, cases: int) -> None:
    summary.cases += cases
    for cert in layout.certs:
        summary.certificates += 1
        summary.revocations += cert.revoked_at is not None
        summary.test_certificates += cert.test
        summary.replacements += cert.replaces is not None
