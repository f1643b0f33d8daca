"""The chunk codec round-trips every value exactly and packs typical channels small."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from wattkeeper.history.codec import CHUNK_S, decode, encode

_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**62), max_value=2**62).map(float),
    st.integers(min_value=-3000, max_value=3000).map(float),
)


@settings(max_examples=60)
@given(st.lists(_values, max_size=CHUNK_S))
def test_round_trip_is_exact(values: list[float]) -> None:
    # == also equates -0.0 with 0.0: the sign of a zero is not kept.
    assert decode(encode(values)) == [None if math.isnan(v) else v for v in values]


def test_integer_watts_pack_below_two_bytes_per_sample() -> None:
    watts = [float(1500 + (i * 37) % 41 - 20) for i in range(CHUNK_S)]
    assert len(encode(watts)) < 2 * CHUNK_S


def test_a_counter_packs_small() -> None:
    counter = [float(12_345_678 + i // 7) for i in range(CHUNK_S)]
    assert len(encode(counter)) < 120  # under half a byte per sample


def test_an_empty_or_partial_chunk_keeps_its_gaps() -> None:
    partial = [1.5, 2.5] + [math.nan] * (CHUNK_S - 2)
    assert decode(encode(partial)) == [1.5, 2.5] + [None] * (CHUNK_S - 2)
    assert decode(encode([math.nan] * CHUNK_S)) == [None] * CHUNK_S
