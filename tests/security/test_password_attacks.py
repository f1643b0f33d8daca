"""Passwords cannot be guessed faster than the throttle allows, and no answer says whose it is."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
from websockets.asyncio.client import connect

from tests.api.conftest import GUEST, OWNER, basic
from tests.api.ws_support import WsClient
from tests.security.conftest import follow
from wattkeeper.api import auth


async def test_200_concurrent_guesses_evaluate_no_more_than_the_throttle_allows(
    start_edge, watch, monkeypatch
) -> None:
    monkeypatch.setattr(auth, "BASE_DELAY", 0.25)  # 5 at once, then 0.25, 0.5, 1 s apart
    monkeypatch.setattr(auth, "MAX_WAIT", 2.0)
    lock = threading.Lock()
    in_flight, most, checked = [0], [0], []
    real = auth.verify_password

    def counting(password: str, stored: str) -> bool:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
            checked.append(password)
        try:
            return real(password, stored)
        finally:
            with lock:
                in_flight[0] -= 1

    edge = await start_edge()
    follow(edge, watch)
    async with httpx.AsyncClient(base_url=edge.url, timeout=30) as client:
        assert (await client.get("/rest/channel/_sum/EssSoc", headers=OWNER)).status_code == 200
        monkeypatch.setattr(auth, "verify_password", counting)
        mark = watch.mark()
        started = time.monotonic()
        guesses = [
            client.get("/rest/channel/_sum/EssSoc", headers=basic(f"guess-{i}", "admin"))
            for i in range(200)
        ]
        answers = await asyncio.gather(*guesses)
        elapsed = time.monotonic() - started
        # meanwhile a client that logged in before is served, untouched by the throttle
        assert (await client.get("/rest/channel/_sum/EssSoc", headers=OWNER)).status_code == 200
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {401, 429}
    evaluated = statuses.count(401)
    # the free five, then turns 0.25, 0.75, 1.75, 3.75, ... s after the start; a guess that
    # would wait more than MAX_WAIT is refused at once, so only turns before elapsed + MAX_WAIT
    turns = sum(1 for k in range(20) if 0.25 * (2 ** (k + 1) - 1) <= elapsed + 2.0)
    assert evaluated <= 5 + turns
    assert statuses.count(429) >= 180
    assert len({p for p in checked if p.startswith("guess-")}) == evaluated
    assert most[0] <= auth.HASHES_IN_FLIGHT
    assert watch.longest_gap(mark) < 2.0


async def test_a_success_never_resets_the_count_and_known_clients_get_in(api) -> None:
    authenticator = api.edge.api.auth
    for i in range(7):
        assert (await api.get("/rest/channel/_sum/EssSoc", auth=basic(f"g{i}"))).status_code == 401
    assert authenticator.per_address.count("127.0.0.1") == 7
    # a client from the same address that never logged in waits its turn, then gets in
    assert (await api.get("/rest/channel/_sum/EssSoc", auth=GUEST)).status_code == 200
    # ... and its success takes back only its own attempt
    assert authenticator.per_address.count("127.0.0.1") == 7
    assert (await api.get("/rest/channel/_sum/EssSoc", auth=basic("g7"))).status_code == 401
    assert authenticator.per_address.count("127.0.0.1") == 8


async def test_a_guest_cannot_change_any_password(start_edge) -> None:
    edge = await start_edge()
    async with connect(f"ws://127.0.0.1:{edge.ports[0]}/websocket") as ws:
        client = WsClient(ws)
        await client.login("user")
        for params in ({"newPassword": "installer"}, {"newPassword": "new-guest-pw"}):
            reply = await client.edge("changePassword", params)
            assert reply["error"]["code"] == 1002, reply
            assert "installer" not in reply["error"]["message"]
    assert edge.edge.users.defaults_in_use() == ["admin", "installer", "owner", "guest"]


async def test_change_password_is_a_throttled_generic_refusal(api) -> None:
    statuses = []
    for guess in ["installer", "admin", "x1x1", "x2x2", "x3x3", "x4x4", "x5x5", "x6x6", "x7x7"]:
        response = await api.rpc("changePassword", {"newPassword": guess}, auth=OWNER)
        statuses.append(response.status_code)
        if response.status_code == 400:
            message = response.json()["error"]["message"]
            assert "installer" not in message and "admin" not in message
        if response.status_code == 200:
            break  # the owner's password changed: it has to sign in again
    assert statuses[:2] == [400, 400]
    # an owner changes its own, an admin anybody's
    response = await api.rpc(
        "changePassword", {"username": "guest", "newPassword": "shared-guest"}, auth=basic("admin")
    )
    assert response.status_code == 200
    assert (
        await api.get("/rest/channel/_sum/EssSoc", auth=basic("shared-guest"))
    ).status_code == 200
