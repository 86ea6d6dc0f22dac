"""The 21 regions (regioner, formerly landsting) with their county codes (länskoder),
as SCB numbers the counties."""

from __future__ import annotations

REGIONS: dict[str, str] = {
    "01": "Region Stockholm",
    "03": "Region Uppsala",
    "04": "Region Sörmland",
    "05": "Region Östergötland",
    "06": "Region Jönköpings län",
    "07": "Region Kronoberg",
    "08": "Region Kalmar län",
    "09": "Region Gotland",
    "10": "Region Blekinge",
    "12": "Region Skåne",
    "13": "Region Halland",
    "14": "Västra Götalandsregionen",
    "17": "Region Värmland",
    "18": "Region Örebro län",
    "19": "Region Västmanland",
    "20": "Region Dalarna",
    "21": "Region Gävleborg",
    "22": "Region Västernorrland",
    "23": "Region Jämtland Härjedalen",
    "24": "Region Västerbotten",
    "25": "Region Norrbotten",
}


def name(code: str) -> str:
    return REGIONS.get(code, code)
