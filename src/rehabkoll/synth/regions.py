"""Sweden's 21 regions and the made-up care organisation of each.

The region names, county codes (länskod), approximate populations (SCB's
population statistics, end of 2023, rounded to thousands) and town names are
facts. Everything else is made up: the HSA ids use the fictitious organisation
number ``00000000`` + county code, which no real organisation has, and the
units and doctors are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from rehabkoll.synth import model, names


@dataclass(frozen=True, slots=True)
class RegionFacts:
    name: str
    county_code: int
    population: int
    towns: tuple[str, ...]
    primary_care_word: str = "Vårdcentralen"


REGIONS: tuple[RegionFacts, ...] = (
    RegionFacts("Region Stockholm", 1, 2_454_000, (
        "Stockholm", "Södertälje", "Huddinge", "Nacka", "Solna", "Täby", "Järfälla",
        "Norrtälje", "Botkyrka", "Haninge", "Sollentuna", "Lidingö")),
    RegionFacts("Region Uppsala", 3, 403_000, (
        "Uppsala", "Enköping", "Östhammar", "Tierp", "Knivsta", "Heby", "Håbo")),
    RegionFacts("Region Sörmland", 4, 300_000, (
        "Eskilstuna", "Nyköping", "Katrineholm", "Strängnäs", "Flen", "Gnesta", "Trosa",
        "Oxelösund", "Vingåker")),
    RegionFacts("Region Östergötland", 5, 469_000, (
        "Linköping", "Norrköping", "Motala", "Mjölby", "Finspång", "Söderköping",
        "Vadstena")),
    RegionFacts("Region Jönköpings län", 6, 369_000, (
        "Jönköping", "Värnamo", "Nässjö", "Gislaved", "Vetlanda", "Eksjö", "Tranås")),
    RegionFacts("Region Kronoberg", 7, 203_000, (
        "Växjö", "Ljungby", "Älmhult", "Alvesta", "Tingsryd", "Markaryd")),
    RegionFacts("Region Kalmar län", 8, 246_000, (
        "Kalmar", "Västervik", "Oskarshamn", "Nybro", "Vimmerby", "Borgholm")),
    RegionFacts("Region Gotland", 9, 61_000, ("Visby", "Hemse", "Slite", "Klintehamn")),
    RegionFacts("Region Blekinge", 10, 157_000, (
        "Karlskrona", "Ronneby", "Karlshamn", "Sölvesborg", "Olofström")),
    RegionFacts("Region Skåne", 12, 1_414_000, (
        "Malmö", "Helsingborg", "Lund", "Kristianstad", "Landskrona", "Trelleborg",
        "Ystad", "Hässleholm", "Ängelholm", "Eslöv")),
    RegionFacts("Region Halland", 13, 342_000, (
        "Halmstad", "Varberg", "Kungsbacka", "Falkenberg", "Laholm", "Hylte")),
    RegionFacts("Västra Götalandsregionen", 14, 1_748_000, (
        "Göteborg", "Borås", "Trollhättan", "Uddevalla", "Skövde", "Mölndal", "Kungälv",
        "Lidköping", "Alingsås", "Vänersborg", "Lerum", "Partille")),
    RegionFacts("Region Värmland", 17, 283_000, (
        "Karlstad", "Arvika", "Kristinehamn", "Säffle", "Hagfors", "Torsby", "Sunne")),
    RegionFacts("Region Örebro län", 18, 307_000, (
        "Örebro", "Karlskoga", "Lindesberg", "Kumla", "Hallsberg", "Askersund")),
    RegionFacts("Region Västmanland", 19, 280_000, (
        "Västerås", "Köping", "Sala", "Fagersta", "Arboga", "Hallstahammar")),
    RegionFacts("Region Dalarna", 20, 288_000, (
        "Falun", "Borlänge", "Mora", "Ludvika", "Avesta", "Leksand", "Hedemora")),
    RegionFacts("Region Gävleborg", 21, 287_000, (
        "Gävle", "Sandviken", "Hudiksvall", "Bollnäs", "Söderhamn", "Ljusdal")),
    RegionFacts("Region Västernorrland", 22, 243_000, (
        "Sundsvall", "Örnsköldsvik", "Härnösand", "Kramfors", "Sollefteå", "Timrå")),
    RegionFacts("Region Jämtland Härjedalen", 23, 132_000, (
        "Östersund", "Krokom", "Strömsund", "Åre", "Sveg", "Bräcke"), "Hälsocentralen"),
    RegionFacts("Region Västerbotten", 24, 275_000, (
        "Umeå", "Skellefteå", "Lycksele", "Vännäs", "Vilhelmina", "Storuman"),
        "Hälsocentralen"),
    RegionFacts("Region Norrbotten", 25, 249_000, (
        "Luleå", "Piteå", "Boden", "Kiruna", "Gällivare", "Kalix", "Haparanda"),
        "Hälsocentralen"),
)  # fmt: skip

_DISTRICTS = ("Centrum", "Norra", "Södra", "Östra", "Västra")


class UnitKind(StrEnum):
    PRIMARY_CARE = "primary care"
    PSYCHIATRY = "psychiatry"
    ORTHOPAEDICS = "orthopaedics"
    ONCOLOGY = "oncology"
    WOMENS_CLINIC = "women's clinic"
    MEDICINE = "medicine"
    NEUROLOGY = "neurology"


CLINIC_NAMES = {
    UnitKind.PSYCHIATRY: "Psykiatriska mottagningen",
    UnitKind.ORTHOPAEDICS: "Ortopedkliniken",
    UnitKind.ONCOLOGY: "Onkologiska kliniken",
    UnitKind.WOMENS_CLINIC: "Kvinnokliniken",
    UnitKind.MEDICINE: "Medicinkliniken",
    UnitKind.NEUROLOGY: "Neurologiska kliniken",
}
CLINIC_FOR_GROUP = {
    "F": UnitKind.PSYCHIATRY,
    "S": UnitKind.ORTHOPAEDICS,
    "C": UnitKind.ONCOLOGY,
    "O": UnitKind.WOMENS_CLINIC,
    "I": UnitKind.MEDICINE,
    "G": UnitKind.NEUROLOGY,
}


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    name: str
    kind: UnitKind
    doctors: tuple[tuple[str, str], ...]
    """(HSA id, name) of each doctor."""


@dataclass(frozen=True, slots=True)
class Region:
    """A care provider (vårdgivare) with its units and the size of its insured population."""

    name: str
    county_code: int
    insured: int
    provider_id: str
    units: tuple[Unit, ...]
    primary_care: tuple[int, ...]
    """Indices into ``units`` of the primary care centres."""
    clinics: dict[str, tuple[int, ...]]
    """Per diagnosis group key, the indices of the clinics it may move to."""

    @property
    def hsa_base(self) -> str:
        return hsa_base(self.county_code)


def hsa_base(county_code: int) -> str:
    """The made-up organisation part of every HSA id of a region: SE + 10 digits."""
    return f"SE00000000{county_code:02d}"


def find(name: str) -> RegionFacts:
    for facts in REGIONS:
        if facts.name.casefold() == name.casefold():
            return facts
    known = ", ".join(f.name for f in REGIONS)
    raise KeyError(f"unknown region {name!r}; choose one of: {known}")


def split_insured(total: int) -> list[int]:
    """Spread ``total`` insured people over the 21 regions by population (largest remainder)."""
    populations = np.array([r.population for r in REGIONS], dtype=np.float64)
    exact = populations / populations.sum() * total
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    for index in np.argsort(-(exact - counts), kind="stable")[:short]:
        counts[index] += 1
    return [int(c) for c in counts]


def build_region(facts: RegionFacts, insured: int, rng: np.random.Generator) -> Region:
    """Invent a region's care units and doctors, sized to its insured population."""
    base = hsa_base(facts.county_code)
    units: list[Unit] = []
    doctor_serial = 0

    def add(name: str, kind: UnitKind, doctor_range: tuple[int, int]) -> int:
        nonlocal doctor_serial
        count = int(rng.integers(doctor_range[0], doctor_range[1] + 1))
        women = rng.random(count) < 0.5
        first_w = names.draw(rng, names.WOMEN_FIRST_NAMES, count)
        first_m = names.draw(rng, names.MEN_FIRST_NAMES, count)
        last = names.draw(rng, names.SURNAMES, count)
        doctors = []
        for k in range(count):
            doctor_serial += 1
            first = (
                names.WOMEN_FIRST_NAMES[first_w[k]]
                if women[k]
                else names.MEN_FIRST_NAMES[first_m[k]]
            )
            doctors.append((f"{base}-D{doctor_serial:05d}", f"{first} {names.SURNAMES[last[k]]}"))
        units.append(Unit(f"{base}-U{len(units) + 1:04d}", name, kind, tuple(doctors)))
        return len(units) - 1

    centres = max(2, round(insured / model.INSURED_PER_PRIMARY_CARE_CENTRE))
    primary = tuple(
        add(
            _centre_name(facts, k),
            UnitKind.PRIMARY_CARE,
            model.DOCTORS_PER_PRIMARY_CARE_CENTRE,
        )
        for k in range(centres)
    )
    hospitals = max(1, round(insured / model.INSURED_PER_HOSPITAL))
    psychiatric = max(1, round(insured / model.INSURED_PER_PSYCHIATRIC_CLINIC))
    clinics: dict[str, tuple[int, ...]] = {}
    for group, kind in CLINIC_FOR_GROUP.items():
        count = psychiatric if kind is UnitKind.PSYCHIATRY else hospitals
        town_of = [facts.towns[k % len(facts.towns)] for k in range(count)]
        clinics[group] = tuple(
            add(
                _numbered(f"{CLINIC_NAMES[kind]} {town}", k, len(facts.towns)),
                kind,
                model.DOCTORS_PER_CLINIC,
            )
            for k, town in enumerate(town_of)
        )
    return Region(
        name=facts.name,
        county_code=facts.county_code,
        insured=insured,
        provider_id=f"{base}-0001",
        units=tuple(units),
        primary_care=primary,
        clinics=clinics,
    )


def _centre_name(facts: RegionFacts, k: int) -> str:
    towns = facts.towns
    town = towns[k % len(towns)]
    round_ = k // len(towns)
    if round_ == 0:
        return f"{facts.primary_care_word} {town}"
    district = _DISTRICTS[(round_ - 1) % len(_DISTRICTS)]
    cycle = (round_ - 1) // len(_DISTRICTS)
    name = f"{facts.primary_care_word} {town} {district}"
    return name if cycle == 0 else f"{name} {cycle + 1}"


def _numbered(name: str, k: int, per_round: int) -> str:
    """Make a name unique when there are more units than names to give."""
    extra = k // per_round
    return name if extra == 0 else f"{name} {extra + 1}"
