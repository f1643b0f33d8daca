"""Pathological channel patterns cost linear time: the cycle and other clients carry on."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.api.conftest import GUEST
from tests.security.conftest import follow

CATASTROPHIC = [
    "/rest/channel/ess0/(%5Cw%2B)%2B!",  # (\w+)+!  — 133 s with a backtracking engine
    "/rest/channel/.*/(.*)*!",
    "/rest/channel/(a*)*b/(x%2B)%2By",
]


async def test_catastrophic_patterns_do_not_stop_the_cycle(start_edge, watch) -> None:
    edge = await start_edge()
    follow(edge, watch)
    async with httpx.AsyncClient(base_url=edge.url, timeout=30) as client:
        await edge.until(lambda: len(watch.times) >= 2)
        mark = watch.mark()
        for _ in range(3):
            answers = await asyncio.gather(
                *(client.get(path, headers=GUEST) for path in CATASTROPHIC),
                client.get("/rest/channel/_sum/EssSoc", headers=GUEST),
            )
            assert [a.status_code for a in answers[:-1]] == [404] * len(CATASTROPHIC)
            assert answers[-1].status_code == 200
        await edge.until(lambda: len(watch.since(mark)) >= 3)
        # a 200 ms cycle: a stall of even one second would show; generous for a shared machine
        assert watch.longest_gap(mark) < 2.0


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("(ess0|_sum)/(Soc|EssSoc)", ["_sum/EssSoc", "ess0/Soc"]),
        (".*/.*", None),
        (
            "meter%5Cd/ActivePower",
            ["meter0/ActivePower", "meter1/ActivePower", "meter2/ActivePower"],
        ),
        ("ess0/Soc.%2B", None),
        ("_sum/(EssSoc%7CGridActivePower)", ["_sum/EssSoc", "_sum/GridActivePower"]),
        (
            "_sum/" + "(" + "%7C".join([f"Name{i:03d}" for i in range(97)] + ["EssSoc"]) + ")",
            ["_sum/EssSoc"],
        ),
    ],
)
async def test_what_real_clients_send_still_works(api, path: str, expected) -> None:
    response = await api.get(f"/rest/channel/{path}")
    if expected is None:
        assert response.status_code in (200, 404), response.text
        return
    items = response.json()
    items = items if isinstance(items, list) else [items]
    assert sorted(i["address"] for i in items) == expected


async def test_battery_prefix_pattern(api) -> None:
    response = await api.get("/rest/channel/.*/Ess.%2B")
    assert response.status_code == 200
    assert len(response.json()) > 1


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("_sum/(%3F%3DEss)EssSoc", "look-arounds"),  # (?=Ess)
        ("ess0/(a)%5C1", "back-references"),  # \1
        ("ess0/a%7B4294967295%7D", None),  # a{4294967295}: a 500 before
        ("ess0/a%7B1001%7D", "repetition"),
    ],
)
async def test_unsupported_syntax_is_a_400_saying_so(api, pattern: str, words) -> None:
    response = await api.get(f"/rest/channel/{pattern}")
    assert response.status_code in (400, 404), response.text
    if words is not None:
        assert response.status_code == 400
        assert words in response.json()["error"]["message"]


async def test_an_overlong_pattern_is_refused_by_its_length(api) -> None:
    response = await api.get("/rest/channel/_sum/(" + "a*" * 4200 + "EssSoc)")
    assert response.status_code == 400
    assert "at most 8192" in response.json()["error"]["message"]


def test_the_compiled_pattern_cache_is_bounded() -> None:
    from wattkeeper.api import patterns

    for i in range(patterns.CACHE_SIZE * 3):
        patterns.compile_pattern(f"x{i}.*")
    assert patterns._compile.cache_info().currsize <= patterns.CACHE_SIZE
