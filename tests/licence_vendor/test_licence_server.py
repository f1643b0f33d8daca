"""The licence service over a real uvicorn server on 127.0.0.1, driven by client and wallet."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.licence_vendor.conftest import LiveService
from tests.licence_vendor.vendor_support import ADMIN_TOKEN, race
from tests.licensing.licensing_support import EDGE_A, EDGE_B, MODBUS, REST
from wattkeeper.licence_vendor.admin_client import LicenceAdminClient
from wattkeeper.licence_vendor.background import BackgroundServer
from wattkeeper.licence_vendor.demo import demo_signing_key
from wattkeeper.licence_vendor.minting import generate_key
from wattkeeper.licence_vendor.server import build_license_app
from wattkeeper.licensing.client import LicenceServiceClient
from wattkeeper.licensing.errors import (
    AlreadyRedeemedError,
    InvalidSignatureError,
    KeyTypoError,
    LicenseServiceUnavailable,
    UnknownKeyError,
    WrongAppError,
)
from wattkeeper.licensing.wallet import LicenceWallet

# the vendor's server, a separate product: a real server per test, left out of the fast stage
pytestmark = pytest.mark.slow


def issue(service: LiveService, app_id: str = REST) -> str:
    return LicenceAdminClient(service.url).issue(app_id, ADMIN_TOKEN)


def post(service: LiveService, path: str, body: Any, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(service.url + path, json=body, headers=headers, timeout=10)


def typo_of(digits: str) -> str:
    return digits[:5] + str((int(digits[5]) + 1) % 10) + digits[6:]


def test_health(service: LiveService) -> None:
    response = httpx.get(service.url + "/api/v1/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "time": "2026-03-14T15:09:26Z"}


def test_issue_then_redeem_on_one_edge_only(service: LiveService, tmp_path: Path) -> None:
    key = issue(service)
    edge_a = LicenceWallet(tmp_path / "edge-a")
    first = edge_a.redeem(key, REST, EDGE_A, service_url=service.url)
    assert first.licence.edge_id == EDGE_A
    assert first.licence.key == key
    assert edge_a.has_valid_licence(REST, EDGE_A)
    assert not edge_a.has_valid_licence(REST, EDGE_B)
    assert not edge_a.has_valid_licence(MODBUS, EDGE_A)

    # Same edge again, even from a wiped data dir: the vendor hands out the same licence.
    again = LicenceWallet(tmp_path / "edge-a-reinstalled").redeem(key, REST, EDGE_A, service.url)
    assert again == first

    edge_b = LicenceWallet(tmp_path / "edge-b")
    with pytest.raises(AlreadyRedeemedError, match="already redeemed on another edge"):
        edge_b.redeem(key, REST, EDGE_B, service_url=service.url)
    assert not edge_b.has_valid_licence(REST, EDGE_B)
    assert edge_b.list_licences() == []


def test_redeem_over_http_answers_409_json_for_second_edge(service: LiveService) -> None:
    key = issue(service)
    assert post(service, "/api/v1/redeem", {"key": key, "edgeId": EDGE_A, "appId": REST}).is_success
    response = post(service, "/api/v1/redeem", {"key": key, "edgeId": EDGE_B, "appId": REST})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_redeemed"


def test_unknown_key_is_404_and_unknown_key_error(service: LiveService, tmp_path: Path) -> None:
    never_issued = generate_key(REST).formatted()
    response = post(
        service, "/api/v1/redeem", {"key": never_issued, "edgeId": EDGE_A, "appId": REST}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_key"
    with pytest.raises(UnknownKeyError, match="never issued"):
        LicenceWallet(tmp_path).redeem(never_issued, REST, EDGE_A, service_url=service.url)


def test_typo_is_answered_400_with_a_message(service: LiveService) -> None:
    mistyped = typo_of(issue(service))
    response = post(service, "/api/v1/redeem", {"key": mistyped, "edgeId": EDGE_A, "appId": REST})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "key_typo"
    assert "mistyped" in error["message"]
    with pytest.raises(KeyTypoError):
        LicenceServiceClient(service.url).redeem(mistyped, REST, EDGE_A)


def test_wrong_app_is_answered_400(service: LiveService) -> None:
    key = issue(service, MODBUS)
    response = post(service, "/api/v1/redeem", {"key": key, "edgeId": EDGE_A, "appId": REST})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "wrong_app",
        "message": f"this key is for app {MODBUS}, not {REST}",
    }
    with pytest.raises(WrongAppError):
        LicenceServiceClient(service.url).redeem(key, REST, EDGE_A)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1, 2], "JSON object"),
        ({"key": "1"}, "missing field\\(s\\): edgeId, appId"),
        ({"key": 1, "edgeId": "e", "appId": REST}, "'key' must be a string"),
        ({"key": "1010", "edgeId": "", "appId": REST}, "16 digits"),
    ],
)
def test_bad_requests_get_400_json(service: LiveService, body: Any, message: str) -> None:
    response = post(service, "/api/v1/redeem", body)
    assert response.status_code == 400
    assert re.search(message, response.json()["error"]["message"])


def test_empty_edge_id_is_refused(service: LiveService) -> None:
    key = issue(service)
    response = post(service, "/api/v1/redeem", {"key": key, "edgeId": " ", "appId": REST})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_edge_id"


def test_non_json_body_gets_400(service: LiveService) -> None:
    response = httpx.post(service.url + "/api/v1/redeem", content=b"key=1", timeout=10)
    assert response.status_code == 400
    assert "must be JSON" in response.json()["error"]["message"]


def test_oversized_body_is_refused(service: LiveService) -> None:
    response = post(service, "/api/v1/redeem", {"key": "1" * 100_000, "edgeId": "e", "appId": REST})
    assert response.status_code == 413
    assert "error" in response.json()


def test_unknown_route_and_method_are_json(service: LiveService) -> None:
    missing = httpx.get(service.url + "/api/v1/nope", timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "http_error"
    wrong_method = httpx.get(service.url + "/api/v1/redeem", timeout=10)
    assert wrong_method.status_code == 405


@pytest.mark.parametrize("token", [None, "wrong-token", ADMIN_TOKEN + "x"])
def test_issuing_needs_the_admin_token(service: LiveService, token: str | None) -> None:
    response = post(service, "/api/v1/keys", {"appId": REST}, token=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_issue_over_http(service: LiveService) -> None:
    response = post(service, "/api/v1/keys", {"appId": MODBUS}, token=ADMIN_TOKEN)
    assert response.status_code == 201
    body = response.json()
    assert body["appId"] == MODBUS
    assert body["formatted"].replace("-", "") == body["key"]
    unknown = post(service, "/api/v1/keys", {"appId": "App.Nope"}, token=ADMIN_TOKEN)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_app"


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_double_redemption_binds_one_edge(service: LiveService, round_: int) -> None:
    key = issue(service)
    client = LicenceServiceClient(service.url)
    outcomes = race(lambda edge: client.redeem(key, REST, edge), [EDGE_A, EDGE_B])
    won = [edge for edge, outcome in outcomes.items() if isinstance(outcome, dict)]
    lost = [edge for edge, outcome in outcomes.items() if isinstance(outcome, AlreadyRedeemedError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    bound = outcomes[won[0]]
    assert isinstance(bound, dict)
    assert bound["licence"]["edgeId"] == won[0]


def test_service_down_is_unavailable(tmp_path: Path) -> None:
    # Bind and close a socket to get a local port nobody listens on.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    key = generate_key(REST).digits
    with pytest.raises(LicenseServiceUnavailable, match=f"127.0.0.1:{port} is unreachable"):
        LicenceWallet(tmp_path).redeem(key, REST, EDGE_A, service_url=url)
    assert LicenceWallet(tmp_path).list_licences() == []


def test_licence_from_untrusted_service_is_rejected(
    rogue_service: LiveService, tmp_path: Path
) -> None:
    key = issue(rogue_service)
    wallet = LicenceWallet(tmp_path)
    with pytest.raises(InvalidSignatureError, match="does not trust"):
        wallet.redeem(key, REST, EDGE_A, service_url=rogue_service.url)
    assert not wallet.has_valid_licence(REST, EDGE_A)


def test_issuing_is_disabled_without_admin_token(tmp_path: Path) -> None:
    app = build_license_app(tmp_path / "v.sqlite3", demo_signing_key(), admin_token=None)
    with BackgroundServer(app) as server:
        response = httpx.post(
            server.url + "/api/v1/keys",
            json={"appId": REST},
            headers={"Authorization": "Bearer anything"},
            timeout=10,
        )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "issuing_disabled"
