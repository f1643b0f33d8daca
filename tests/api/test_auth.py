"""Failed logins are throttled per address without slowing down correct logins."""

from __future__ import annotations

import httpx

from tests.api.conftest import GUEST, OWNER, basic


async def test_guessing_is_throttled_and_known_good_clients_are_not(api) -> None:
    # a client that logged in before keeps working throughout
    assert (await api.get("/rest/channel/_sum/EssSoc", auth=OWNER)).status_code == 200
    clock = api.site.clock
    started = clock.monotonic()
    statuses = []
    for i in range(10):
        statuses.append(
            (await api.get("/rest/channel/_sum/EssSoc", auth=basic(f"guess{i}"))).status_code
        )
        if i == 4:
            assert clock.monotonic() == started  # five checked at once
    # then 1, 2, 4, 8 s apart (waited on the injected clock); the next would wait 16 s: 429
    assert statuses == [401] * 9 + [429]
    assert clock.monotonic() - started >= 15
    throttled = await api.get("/rest/channel/_sum/EssSoc", auth=basic("guess10"))
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) >= 1
    assert "Too many failed logins" in throttled.json()["error"]["message"]
    assert (await api.get("/rest/channel/_sum/EssSoc", auth=OWNER)).status_code == 200
    # credentials that succeeded before are never throttled, even with the cache cleared
    api.edge.api.auth.forget_sessions()
    assert (await api.get("/rest/channel/_sum/EssSoc", auth=OWNER)).status_code == 200

    # another address is not affected
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api.edge.asgi, client=("127.0.0.2", 1)),
        base_url="http://edge",
    )
    async with other:
        assert (await other.get("/rest/channel/_sum/EssSoc", headers=GUEST)).status_code == 200

    # the lockout ends by itself
    api.site.clock.advance(600)
    assert (await api.get("/rest/channel/_sum/EssSoc", auth=GUEST)).status_code == 200


async def test_changed_password_takes_effect_at_once(api) -> None:
    response = await api.rpc("changePassword", {"newPassword": "s3cret-owner"}, auth=OWNER)
    assert response.status_code == 200, response.text
    assert (await api.get("/rest/channel/_sum/EssSoc", auth=OWNER)).status_code == 401
    assert (
        await api.get("/rest/channel/_sum/EssSoc", auth=basic("s3cret-owner"))
    ).status_code == 200
    assert "s3cret-owner" not in (api.edge.data_dir / "users.json").read_text()
    assert api.edge.users.defaults_in_use() == ["admin", "installer", "guest"]


async def test_owner_cannot_change_another_users_password(api) -> None:
    response = await api.rpc(
        "changePassword", {"username": "admin", "newPassword": "mine1"}, auth=OWNER
    )
    assert response.status_code == 403


async def test_passwords_must_stay_unique_without_saying_whose_it_is(api) -> None:
    response = await api.rpc("changePassword", {"newPassword": "admin"}, auth=OWNER)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "cannot be used" in message and "admin" not in message


async def test_password_changed_on_the_command_line_reaches_a_running_edge(api) -> None:
    from wattkeeper.cli import main

    assert (await api.get("/rest/channel/_sum/EssSoc", auth=OWNER)).status_code == 200  # cached
    assert (
        main(["passwd", "owner", "--data-dir", str(api.edge.data_dir), "--password", "n3w-owner"])
        == 0
    )
    api.step(5)
    assert (await api.get("/rest/channel/_sum/EssSoc", auth=OWNER)).status_code == 401
    assert (await api.get("/rest/channel/_sum/EssSoc", auth=basic("n3w-owner"))).status_code == 200


async def test_simultaneous_rest_logins_share_one_password_check(api, monkeypatch) -> None:
    import asyncio

    from wattkeeper.api import auth

    checks = []
    real = auth.verify_password

    def counting(password: str, stored: str) -> bool:
        checks.append(password)
        return real(password, stored)

    monkeypatch.setattr(auth, "verify_password", counting)
    api.edge.api.auth.forget_sessions()
    answers = await asyncio.gather(
        *(api.get("/rest/channel/_sum/EssSoc", auth=OWNER) for _ in range(20))
    )
    assert [a.status_code for a in answers] == [200] * 20
    assert len(checks) <= 4  # each user tried at most once, not 20 times 4


async def test_setting_the_default_password_again_keeps_the_warning(api) -> None:
    await api.rpc("changePassword", {"newPassword": "s3cret-owner"}, auth=OWNER)
    assert "owner" not in api.edge.users.defaults_in_use()
    response = await api.rpc("changePassword", {"newPassword": "owner"}, auth=basic("s3cret-owner"))
    assert response.status_code == 200, response.text
    assert "owner" in api.edge.users.defaults_in_use()
