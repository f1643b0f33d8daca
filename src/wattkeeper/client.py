"""A small Python client for the REST/JSON API: read, write, keep a setpoint alive, release."""

from __future__ import annotations

import threading
from typing import Any

import httpx


class ApiClientError(Exception):
    """The edge refused a request; the message is the edge's own explanation."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class WattkeeperClient:
    """`WattkeeperClient("http://192.168.0.23:80", password="owner")`."""

    def __init__(self, url: str, password: str, user: str = "x", timeout: float = 10.0) -> None:
        self._http = httpx.Client(base_url=url.rstrip("/"), auth=(user, password), timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WattkeeperClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text
            raise ApiClientError(response.status_code, message)
        return response.json()

    def read(self, address: str) -> list[dict[str, Any]]:
        """Every channel matching `component/channel` (regular expressions allowed)."""
        body = self._check(self._http.get(f"/rest/channel/{_quote(address)}"))
        return body if isinstance(body, list) else [body]

    def value(self, address: str) -> Any:
        return self.read(address)[0].get("value")

    def write(self, address: str, value: Any) -> None:
        self._check(self._http.post(f"/rest/channel/{address}", json={"value": value}))

    def release(self, address: str) -> None:
        self.write(address, None)

    def rpc(self, method: str, params: dict[str, Any] | None = None) -> Any:
        body = self._check(
            self._http.post("/jsonrpc", json={"method": method, "params": params or {}})
        )
        return body.get("result")

    def api_timeout(self) -> int:
        config = self.rpc("getEdgeConfig")
        for component in config["components"].values():
            if component["factoryId"] == "Controller.Api.Rest.ReadWrite":
                return int(component["properties"].get("apiTimeout", 60))
        return 60

    def keep(
        self, address: str, value: Any, stop: threading.Event, interval: float | None = None
    ) -> None:
        """Write now and re-send before the lease runs out, until `stop` is set; then release."""
        if interval is None:
            timeout = self.api_timeout()
            interval = timeout / 2 if timeout > 0 else 3600.0
        try:
            while True:
                self.write(address, value)
                if stop.wait(interval):
                    break
        finally:
            self.release(address)


def _quote(address: str) -> str:
    return address.replace("|", "%7C")
