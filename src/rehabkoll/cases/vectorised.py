"""The case engine over NumPy arrays: the arithmetic of the bulk form.

``rehabkoll.cases.bulk`` reads the periods with DuckDB (which hashes the
texts) and hands this module plain integer arrays, one element per period;
this module groups them into certificates, chains the certificates into cases
and counts each case's days and net days, without a Python loop over rows.
The rules are those of ``rehabkoll.cases.engine`` (docs/cases.md).

How it works
------------
0. ``parts``: the periods split by the top bits of their pair's hash. Every
   case lies in one part, so the caller computes the parts apart, two at a
   time on two cores, each with smaller arrays, and joins their cases
   (``joined``).
1. ``run_heads``: the periods of one certificate lie next to each other (the
   caller sees to it; ``ordered`` checks with ``repeated_certificates``), so
   a certificate is a run of elements.
2. ``ordered``: one element per certificate, ordered by patient-provider pair
   and start. Its span, days and degree-weighted days come from
   ``ufunc.reduceat`` over the runs. The order comes from
   two sorts of plain integers with each element's position packed into the
   low bits (NumPy sorts integers several times faster than it argsorts).
   The first sort groups the pairs by the top 40 bits of their hash. The
   second sorts by (dense pair number, start), and timsort finds that mostly
   in order already, as input in signing order is.
3. ``chain``: the latest end so far of the same pair is a running maximum of
   the previous certificate's end tagged with its pair number, so that it
   never carries over to the next pair. A certificate starts a new case when
   its start lies more than gap + 1 days after that end, and a new cluster
   when it starts after it.
4. ``leads`` and ``figures``: each case's most recently signed certificate,
   and its span, days and net days. A certificate alone in its cluster adds
   its own days. The clusters of overlapping certificates are cut at every
   period start and end + 1 into pieces; each piece takes the degree of the
   most recently signed period covering it (``np.maximum.at`` of recency ×
   256 + degree). No day is expanded into an element.

Ties in signing time are settled by certificate id, which only the caller
knows: ``tied`` says which certificates tie, and ``recency_rank`` takes the
ids' order back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Array = npt.NDArray[Any]

_POSITION_BITS = 24  # up to 16.7 M certificates take the packed sorts
_LOW32 = (1 << 32) - 1
MAX_PERIODS = 300
"""Periods per certificate the engine takes (the format allows 20): with each
period below 65,536 days at most 100 %, a certificate's degree-weighted days
then stay below 2^31 and share an integer with its days (``tally``)."""


@dataclass(frozen=True)
class Periods:
    """One element per period, runs of equal ``certificate`` per certificate.

    ``certificate``: a number that differs between neighbouring certificates
    (a hash of the id, or its rank); ``who_high``/``who_low``: two hashes of
    the patient-provider pair; ``signed``: signing time (µs); ``start`` and
    ``end``: days since 1970-01-01; ``degree``: 0–100; ``row``: the row number
    in the input, or None when it is the element's index.
    """

    certificate: Array
    who_high: Array
    who_low: Array
    signed: Array
    start: Array
    end: Array
    degree: Array
    row: Array | None = None


def parts(periods: Periods, bits: int) -> list[Ints]:
    """Step 0: the periods split into 2^``bits`` parts (1 to 8 bits) by the
    top bits of their pair's hash ``who_high``: for each part, the indices of
    its periods, in order. A pair's periods, and so its certificates and
    cases, all fall in one part: the parts can be computed apart, and at the
    same time (``part``)."""
    if not 1 <= bits <= 8:
        raise ValueError(f"bits must lie between 1 and 8, not {bits}")
    top = (periods.who_high >> np.uint64(64 - bits)).astype(np.uint8)
    order = np.argsort(top, kind="stable")  # a radix sort, for 8-bit values
    sizes = np.bincount(top, minlength=1 << bits)
    return np.split(order, np.cumsum(sizes)[:-1])


def part(periods: Periods, where: Ints) -> Periods:
    """The periods at ``where`` (ascending), with their input rows."""
    return Periods(
        certificate=periods.certificate[where],
        who_high=periods.who_high[where],
        who_low=periods.who_low[where],
        signed=periods.signed[where],
        start=periods.start[where],
        end=periods.end[where],
        degree=periods.degree[where],
        row=where if periods.row is None else periods.row[where],
    )


def run_heads(periods: Periods, *, exact: bool) -> Ints:
    """The index of each certificate's first period: where the certificate
    number changes from the row before. ``exact``: the numbers are the ids'
    ranks; else they are hashes, and a change of signing time counts too, so
    that two neighbours would merge only if their ids' hashes and their
    signing times (to the microsecond) both matched."""
    change = np.ones(len(periods.certificate), dtype=np.bool_)
    np.not_equal(periods.certificate[1:], periods.certificate[:-1], out=change[1:])
    if not exact:
        change[1:] |= periods.signed[1:] != periods.signed[:-1]
    return np.flatnonzero(change)


def repeated_certificates(periods: Periods, heads: Ints) -> bool:
    """Whether two runs carry the same certificate number: the periods of a
    certificate are then not all next to each other (or two ids share a hash),
    and the caller must order the rows by certificate id first."""
    numbers = periods.certificate[heads]
    numbers.sort()
    return bool(np.any(numbers[1:] == numbers[:-1]))


@dataclass(frozen=True)
class Certificates:
    """One element per certificate, in pair-and-start order (``ordered``)."""

    order: Ints  # the certificate's number in input order (its run of periods)
    pair: Ints  # dense number of the patient-provider pair, ascending
    signed: Ints
    start: Ints
    end: Ints
    tally: Ints  # weighted days << 32 | days, summed over its periods
    bounds: Ints  # the runs of periods: run k is bounds[k]:bounds[k + 1]
    input_row: Array | None  # Periods.row

    def first(self, which: Ints) -> Ints:
        """The index of the first period of the certificates at ``which``."""
        return self.bounds[self.order[which]]

    def count(self, which: Ints) -> Ints:
        """The number of periods of the certificates at ``which``."""
        runs = self.order[which]
        return self.bounds[runs + 1] - self.bounds[runs]

    def row(self, which: Ints) -> Ints:
        """The input row of the first period of the certificates at ``which``."""
        first = self.first(which)
        return first if self.input_row is None else self.input_row[first]


def ordered(periods: Periods, heads: Ints, *, check: bool) -> Certificates | None:
    """Step 2: one element per run of ``heads`` (``run_heads``),
    ordered by patient-provider pair and start. ``check``: first make sure
    that no certificate number heads two runs (``repeated_certificates``), and
    give None if one does."""
    n, m = len(periods.start), len(heads)
    bounds = np.append(heads, n)
    if m == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Certificates(empty, empty, empty, empty, empty, empty, bounds, periods.row)
    most = int(np.diff(bounds).max())
    if most > MAX_PERIODS:
        raise ValueError(
            f"a certificate has {most} periods; the bulk engine takes at most {MAX_PERIODS}"
        )
    if check and repeated_certificates(periods, heads):
        return None
    start = np.minimum.reduceat(periods.start, heads).astype(np.int64)
    order, pair, start = _pair_order(periods.who_high[heads], periods.who_low[heads], start)
    lengths = (periods.end - periods.start + 1).astype(np.int64)
    tally = (lengths * periods.degree) << 32
    tally += lengths
    return Certificates(
        order=order,
        pair=pair,
        signed=periods.signed[heads][order],
        start=start,
        end=np.maximum.reduceat(periods.end, heads).astype(np.int64)[order],
        tally=np.add.reduceat(tally, heads)[order],
        bounds=bounds,
        input_row=periods.row,
    )


def _packed_sort(
    keys: npt.NDArray[np.uint64], bits: int, *, kind: Literal["quicksort", "stable"] = "quicksort"
) -> tuple[Ints, Array]:
    """The positions that sort ``keys`` (each below 2^(64 - bits)), ties by
    position, and the sorted keys: a plain sort of key << bits | position,
    several times faster than an argsort. ``kind="stable"`` (timsort) is the
    fast one for keys that are nearly in order already."""
    packed = keys << np.uint64(bits)
    packed |= np.arange(len(keys), dtype=np.uint64)
    packed.sort(kind=kind)
    positions = (packed & np.uint64((1 << bits) - 1)).view(np.int64)
    return positions, packed >> np.uint64(bits)


def _pair_order(high: Array, low: Array, start: Ints) -> tuple[Ints, Ints, Ints]:
    """The order by pair (``high``, ``low``) and ``start``, each element's
    dense pair number in that order, and the starts in that order. Ties in any
    order: they never change a case."""
    m = len(start)
    base = int(start.min())
    if m >= 1 << _POSITION_BITS or int(start.max()) - base >= 1 << 16:
        order = np.lexsort((start, low, high)).astype(np.int64)
        new = _new_pairs(high[order], low[order])
        return order, np.cumsum(new, dtype=np.int64) - 1, start[order]
    # Group the pairs: sort by the top 40 bits of one hash (the rest of the
    # pair's 96 bits packed in another integer). Pairs that share those 40 bits
    # (a few in millions) may interleave; such runs are sorted again on the
    # rest, which keeps them in their places.
    grouped, top = _packed_sort(high >> np.uint64(_POSITION_BITS), _POSITION_BITS)
    rest = (high & np.uint64((1 << _POSITION_BITS) - 1)) << np.uint64(32)
    rest |= low.astype(np.uint64)
    rest = rest[grouped]
    new = _new_pairs(top, rest)
    mixed = np.flatnonzero(new[1:] & (top[1:] == top[:-1]))
    if len(mixed):
        shared = np.unique(top[mixed + 1])
        begin = np.searchsorted(top, shared, side="left")
        size = np.searchsorted(top, shared, side="right") - begin
        slots = _ranges(begin, size)
        moved = slots[np.lexsort((slots, rest[slots], top[slots]))]  # runs keep their slots
        grouped[slots], rest[slots] = grouped[moved], rest[moved]
        new = _new_pairs(top, rest)
    pair = np.cumsum(new, dtype=np.uint64) - np.uint64(1)
    pair <<= np.uint64(16)
    pair |= (start[grouped] - base).astype(np.uint64)
    # in input order within a pair, which is mostly start order already
    by_start, key = _packed_sort(pair, _POSITION_BITS, kind="stable")
    day = (key & np.uint64(0xFFFF)).view(np.int64)
    day += base
    return grouped[by_start], (key >> np.uint64(16)).view(np.int64), day


def _ranges(begin: Ints, size: Ints) -> Ints:
    """The indices begin[k], begin[k] + 1, … (size[k] of them), for each k."""
    offsets = np.cumsum(size) - size
    return np.repeat(begin, size) + (np.arange(int(size.sum())) - np.repeat(offsets, size))


def _new_pairs(high: Array, low: Array) -> Bools:
    """True where a pair differs from the one before (always at the first)."""
    new = np.ones(len(high), dtype=np.bool_)
    np.not_equal(high[1:], high[:-1], out=new[1:])
    new[1:] |= low[1:] != low[:-1]
    return new


@dataclass(frozen=True)
class Chained:
    """Each certificate's case and cluster number (0, 1, … in pair-and-start order)."""

    case: Ints
    cluster: Ints
    overlapping: Bools  # shares its cluster with another certificate
    case_heads: Ints  # index of each case's first certificate
    at_latest: Ints  # the certificates signed at their case's latest signing time


def chain(certs: Certificates, gap: int) -> Chained:
    """Step 3: the gap rule over the certificates in pair-and-start order."""
    m = len(certs.start)
    if m == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Chained(empty, empty, np.zeros(0, dtype=np.bool_), empty, empty)
    base = int(certs.start.min())
    # previous certificate's end (from the earliest start on, below 2^32) tagged with its pair
    tagged = np.empty(m, dtype=np.int64)
    tagged[0] = -1
    tagged[1:] = (certs.pair[:-1] << 32) | (certs.end[:-1] - base)
    reach = np.maximum.accumulate(tagged)
    same_pair = (reach >> 32) == certs.pair
    latest_end = (reach & _LOW32) + base
    new_case = ~same_pair | (certs.start > latest_end + gap + 1)
    new_cluster = ~same_pair | (certs.start > latest_end)
    next_new_cluster = np.append(new_cluster[1:], True)
    case = np.cumsum(new_case, dtype=np.int64) - 1
    case_heads = np.flatnonzero(new_case)
    latest = np.maximum.reduceat(certs.signed, case_heads)
    return Chained(
        case=case,
        cluster=np.cumsum(new_cluster, dtype=np.int64) - 1,
        overlapping=~(new_cluster & next_new_cluster),
        case_heads=case_heads,
        at_latest=np.flatnonzero(certs.signed == latest[case]),
    )


def _duplicated(values: Array) -> Bools:
    """True where the value occurs more than once."""
    ordered_values = np.sort(values)
    repeated = ordered_values[1:][ordered_values[1:] == ordered_values[:-1]]
    return np.isin(values, repeated) if len(repeated) else np.zeros(len(values), np.bool_)


def tied(certs: Certificates, chained: Chained) -> Ints:
    """The certificates (indices) whose signing time ties with another's where
    recency decides: the latest of a case, or any two of one cluster of
    overlapping certificates. Their ids settle it."""
    flagged = np.zeros(len(certs.signed), dtype=np.bool_)
    case = chained.case[chained.at_latest]
    several = np.bincount(case, minlength=len(chained.case_heads)) > 1
    flagged[chained.at_latest[several[case]]] = True
    ov = np.flatnonzero(chained.overlapping)
    if len(ov):
        # (cluster, signed) folded into one integer: equal pairs stay equal, and
        # the rare unequal pair that folds alike only asks for two more ids
        folded = certs.signed[ov].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        folded += chained.cluster[ov].astype(np.uint64)
        flagged[ov[_duplicated(folded)]] = True
    return np.flatnonzero(flagged)


def recency_rank(count: int, tied: Ints, id_rank: Ints) -> Ints:
    """Per certificate, the rank (from 1) of its id among the ``tied`` ones
    (``id_rank``, in the order of ``tied``), 0 for the others."""
    rank = np.zeros(count, dtype=np.int64)
    rank[tied] = id_rank
    return rank


def leads(chained: Chained, rank: Ints) -> Ints:
    """Each case's lead (index): its most recently signed certificate; where
    several share the latest signing time, the one with the largest id."""
    at_latest = chained.at_latest
    if len(at_latest) > len(chained.case_heads):
        case = chained.case[at_latest]
        firsts = np.flatnonzero(np.concatenate(([True], case[1:] != case[:-1])))
        best = np.maximum.reduceat(rank[at_latest], firsts)
        at_latest = at_latest[rank[at_latest] == best[case]]
    return at_latest


@dataclass(frozen=True)
class Cases:
    """One element per case, in case order."""

    start: Ints
    end: Ints
    days: Ints
    weighted: Ints  # net days × 100
    certificates: Ints


def joined(parts: list[Cases]) -> Cases:
    """The cases of several parts (``part``), one after the other."""
    return Cases(
        **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Cases)}
    )


def figures(periods: Periods, certs: Certificates, chained: Chained, rank: Ints) -> Cases:
    """Step 4: each case's span, days, net days and number of certificates."""
    heads = chained.case_heads
    m = len(certs.start)
    if m == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Cases(empty, empty, empty, empty, empty)
    alone = np.where(chained.overlapping, 0, certs.tally)
    days = np.add.reduceat(alone & _LOW32, heads)
    weighted = np.add.reduceat(alone >> 32, heads)
    ov = np.flatnonzero(chained.overlapping)
    if len(ov):
        extra_days, extra_weighted = _cluster_days(periods, certs, chained, ov, rank)
        days += extra_days
        weighted += extra_weighted
    return Cases(
        start=certs.start[heads],
        end=np.maximum.reduceat(certs.end, heads),
        days=days,
        weighted=weighted,
        certificates=np.diff(np.append(heads, m)),
    )


def _cluster_days(
    periods: Periods, certs: Certificates, chained: Chained, ov: Ints, rank: Ints
) -> tuple[Ints, Ints]:
    """Days and weighted days per case from the clusters of overlapping
    certificates (``ov``: their indices)."""
    # recency: any number in (signed, id) order; only its order within a cluster
    # counts. Without ties, the signing time itself (µs from the earliest).
    signed = certs.signed[ov]
    recency = signed - signed.min()
    if rank[ov].any() or recency.max() >= 1 << 55:
        recency[np.lexsort((rank[ov], signed))] = np.arange(len(ov))
    counts = certs.count(ov)
    rows = _ranges(certs.first(ov), counts)
    cluster = np.repeat(chained.cluster[ov], counts)
    start = periods.start[rows].astype(np.int64)
    end = periods.end[rows].astype(np.int64)
    value = np.repeat(recency, counts) * 256 + periods.degree[rows]

    base = int(start.min())
    day_bits = int(end.max() + 1 - base).bit_length()  # cluster numbers above the days
    cut_key = cluster << day_bits
    opening, closing = cut_key | (start - base), cut_key | (end + 1 - base)
    cuts = np.sort(np.concatenate((opening, closing)))
    cuts = cuts[np.concatenate(([True], cuts[1:] != cuts[:-1]))]
    lo = np.searchsorted(cuts, opening)
    covering = np.searchsorted(cuts, closing) - lo
    piece = _ranges(lo, covering)
    best = np.full(len(cuts), -1, dtype=np.int64)
    np.maximum.at(best, piece, np.repeat(value, covering))
    covered = np.flatnonzero(best >= 0)  # never the last cut of a cluster
    length = cuts[covered + 1] - cuts[covered]
    degree = best[covered] & 255

    case_of_cluster = np.zeros(int(chained.cluster[-1]) + 1, dtype=np.int64)
    case_of_cluster[chained.cluster[ov]] = chained.case[ov]
    case = case_of_cluster[cuts[covered] >> day_bits]
    n_cases = len(chained.case_heads)
    return (
        np.bincount(case, weights=length, minlength=n_cases).astype(np.int64),
        np.bincount(case, weights=length * degree, minlength=n_cases).astype(np.int64),
    )
