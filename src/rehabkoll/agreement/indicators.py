"""The indicators a condition may be followed with (their keys and Swedish
labels); docs/agreement.md defines each. The computation is in
``indicator_queries``; FMB and electronic-exchange indicators are shown only
when those features report themselves available (``optional_features``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    key: str
    label: str
    unit: str
    feature: str | None = None
    """The feature the indicator needs (None: always available)."""


INDICATORS: tuple[IndicatorInfo, ...] = (
    IndicatorInfo(
        "coordination_function.primary_care",
        "Vårdcentraler med koordineringsfunktion",
        "%",
    ),
    IndicatorInfo(
        "coordination_function.psychiatry", "Psykiatriska mottagningar med koordinering", "%"
    ),
    IndicatorInfo("coordination_function.hospital", "Sjukhuskliniker med koordinering", "%"),
    IndicatorInfo("coordination_coverage.over_60", "Sjukfall över 60 dagar med koordinering", "%"),
    IndicatorInfo("plan_for_closing.over_365", "Sjukfall över 365 dagar med plan för avslut", "%"),
    IndicatorInfo("sick_leave.net_days_per_insured", "Nettodagar per försäkrad och år", "dagar"),
    IndicatorInfo("sick_leave.change", "Förändring mot föregående år", "%"),
    IndicatorInfo(
        "sick_leave.length_difference", "Skillnad i sjukfallslängd kvinnor − män", "dagar"
    ),
    IndicatorInfo(
        "fmb.over_recommended", "Sjukfall längre än FMB:s rekommendation", "%", feature="fmb"
    ),
    IndicatorInfo(
        "exchange.electronic_share", "Intyg via det nationella formatet", "%", feature="exchange"
    ),
)
INDICATOR_KEYS = tuple(i.key for i in INDICATORS)
BY_KEY = {i.key: i for i in INDICATORS}
