"""The NumPy steps of the bulk engine on hand-made arrays: the parts that the
engine-against-reference property tests (tests/test_bulk.py) rarely reach,
such as two patient-provider pairs whose hashes share their top 40 bits."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rehabkoll.cases import vectorised


def pair_order(
    high: list[int], low: list[int], start: list[int]
) -> list[tuple[int, int, int, int]]:
    """(high, low, start, pair number) in the order ``_pair_order`` gives."""
    h = np.array(high, dtype=np.uint64)
    lo = np.array(low, dtype=np.uint32)
    s = np.array(start, dtype=np.int64)
    order, pair, starts = vectorised._pair_order(h, lo, s)
    assert list(starts) == list(s[order])
    return [(int(h[i]), int(lo[i]), int(s[i]), int(p)) for i, p in zip(order, pair, strict=True)]


def check_grouped(rows: list[tuple[int, int, int, int]]) -> None:
    """Each pair's rows lie together, by start, under one dense number."""
    seen: set[tuple[int, int]] = set()
    for i, (high, low, start, number) in enumerate(rows):
        if i and rows[i - 1][:2] == (high, low):
            assert rows[i - 1][2] <= start
            assert number == rows[i - 1][3]
        else:
            assert (high, low) not in seen, "a pair's rows are apart"
            assert number == len(seen)
            seen.add((high, low))


SHARED_TOP = 0xABCDEF1234 << 24  # 40 top bits that several hashes share


def test_pairs_whose_hashes_share_the_top_bits_are_kept_apart() -> None:
    # Three pairs share the top 40 bits of ``high``: A and B differ in the low
    # 24 bits, B and C only in ``low``. Their rows come interleaved; a fourth
    # pair D has other top bits. The packed sort groups by the top bits only,
    # so A, B and C first come mixed and must be sorted again.
    a, b, d = SHARED_TOP | 5, SHARED_TOP | 9, 1 << 60
    high = [a, b, b, a, d, b, a]
    low = [1, 1, 2, 1, 7, 1, 1]  # (b, 2) is pair C
    start = [30, 20, 10, 10, 5, 40, 20]
    rows = pair_order(high, low, start)
    check_grouped(rows)
    by_pair = {(h, lo): [s for hh, ll, s, _ in rows if (hh, ll) == (h, lo)] for h, lo, _, _ in rows}
    assert by_pair == {(a, 1): [10, 20, 30], (b, 1): [20, 40], (b, 2): [10], (d, 7): [5]}
    assert len({p for *_, p in rows}) == 4


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(0, 400)),
        min_size=1,
        max_size=60,
    )
)
def test_pair_order_groups_any_pairs(rows: list[tuple[int, int, int]]) -> None:
    # Hashes drawn from four values that share their top 40 bits, and two lows.
    highs = [SHARED_TOP | (k * 77) for k, _, _ in rows]
    check_grouped(pair_order(highs, [lo for _, lo, _ in rows], [s for *_, s in rows]))


def periods(certificate: list[int], signed: list[int]) -> vectorised.Periods:
    n = len(certificate)
    zeros = np.zeros(n, dtype=np.int64)
    return vectorised.Periods(
        certificate=np.array(certificate, dtype=np.uint64),
        who_high=zeros.astype(np.uint64),
        who_low=zeros.astype(np.uint32),
        signed=np.array(signed, dtype=np.int64),
        start=zeros,
        end=zeros,
        degree=zeros,
    )


def test_certificates_are_runs_and_runs_apart_are_noticed() -> None:
    # Certificate 7 has three periods; 8 one; then 7 again further down.
    read = periods([7, 7, 7, 8, 7], [1, 1, 1, 2, 1])
    heads = vectorised.run_heads(read, exact=False)
    assert list(heads) == [0, 3, 4]
    assert vectorised.repeated_certificates(read, heads)
    together = periods([7, 7, 8], [1, 1, 2])
    assert not vectorised.repeated_certificates(
        together, vectorised.run_heads(together, exact=False)
    )


def test_a_change_of_signing_time_starts_a_certificate_unless_the_numbers_are_exact() -> None:
    # Neighbours whose id hashes match but whose signing times differ are two
    # certificates; with exact numbers (ranks of the ids) the number alone counts.
    read = periods([7, 7], [1, 2])
    assert list(vectorised.run_heads(read, exact=False)) == [0, 1]
    assert list(vectorised.run_heads(read, exact=True)) == [0]


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(-25_000, 50_000)),
        min_size=2,
        max_size=40,
    )
)
def test_pair_order_over_more_than_65536_days_takes_the_general_sort(
    rows: list[tuple[int, int, int]],
) -> None:
    # Starts from 1901 to 2106 do not fit the packed key's 16 bits of days:
    # the order comes from a lexsort instead, and must group the pairs alike.
    starts = [s for *_, s in rows] + [-25_000, 50_000]
    highs = [SHARED_TOP | (k * 77) for k, _, _ in rows] + [1, 1]
    lows = [lo for _, lo, _ in rows] + [0, 0]
    check_grouped(pair_order(highs, lows, starts))


def test_parts_keep_each_pair_whole_and_every_period_once() -> None:
    # Two bits: the part is the hash's top two bits. 0b01… and 0b11… are parts
    # 1 and 3; two periods of the pair 0b11…5 lie apart and both land in part
    # 3, in their order; parts 0 and 2 are empty.
    one, three = 1 << 62, 3 << 62
    read = periods([1, 2, 3, 4, 5], [0] * 5)
    read = vectorised.Periods(
        **{
            **read.__dict__,
            "who_high": np.array([three | 5, one, three | 9, three | 5, one], np.uint64),
        }
    )
    split = vectorised.parts(read, 2)
    assert [list(where) for where in split] == [[], [1, 4], [], [0, 2, 3]]
    part = vectorised.part(read, split[3])
    assert list(part.certificate) == [1, 3, 4]
    assert part.row is not None
    assert list(part.row) == [0, 2, 3]  # the input rows, for the labels
    again = vectorised.part(part, np.array([2]))
    assert again.row is not None
    assert list(again.row) == [3]


@given(st.lists(st.integers(0, 2**64 - 1), max_size=50), st.integers(1, 8))
def test_parts_split_any_hashes(highs: list[int], bits: int) -> None:
    read = periods(list(range(len(highs))), [0] * len(highs))
    read = vectorised.Periods(**{**read.__dict__, "who_high": np.array(highs, np.uint64)})
    split = vectorised.parts(read, bits)
    assert len(split) == 1 << bits
    assert sorted(i for where in split for i in where) == list(range(len(highs)))
    for k, where in enumerate(split):
        assert list(where) == sorted(where)
        assert all(highs[i] >> (64 - bits) == k for i in where)
