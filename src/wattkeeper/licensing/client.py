"""HTTP client for the vendor's licence service (used by the edge wallet)."""

from __future__ import annotations

from typing import Any

import httpx

from wattkeeper.licensing import errors
from wattkeeper.licensing.errors import LicenseError, LicenseServiceUnavailable

DEFAULT_TIMEOUT_S = 10.0

# The server names the error class in "code"; map it back so callers catch the same types
# whether a check failed locally or at the vendor.
_ERRORS_BY_CODE: dict[str, type[LicenseError]] = {
    cls.code: cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, LicenseError)
}


class LicenceServiceClient:
    """Talks to ``POST /api/v1/redeem`` of a licence service (the vendor admin client adds more)."""

    def __init__(
        self,
        base_url: str,
        timeout: float = DEFAULT_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._transport = transport

    def _post(self, path: str, body: dict[str, str], token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        url = self.base_url + path
        try:
            with httpx.Client(timeout=self._timeout, transport=self._transport) as http:
                response = http.post(url, json=body, headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise LicenseServiceUnavailable(
                f"licence service at {self.base_url} is unreachable: {exc or type(exc).__name__}"
            ) from exc
        return _decode(url, response)

    def redeem(self, key: str, app_id: str, edge_id: str) -> dict[str, Any]:
        """Ask the service to bind ``key`` to ``edge_id``; return the (unverified) licence document.

        Raises the same LicenseError subclasses the service reports (AlreadyRedeemedError for
        409, UnknownKeyError for 404, KeyTypoError ...), or LicenseServiceUnavailable.
        """
        return self._post("/api/v1/redeem", {"key": key, "appId": app_id, "edgeId": edge_id})


def _decode(url: str, response: httpx.Response) -> dict[str, Any]:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise LicenseServiceUnavailable(
            f"licence service at {url} answered HTTP {response.status_code} without a JSON object"
        )
    if response.is_success:
        return body
    error = body.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    text = message if isinstance(message, str) else f"HTTP {response.status_code}"
    if response.status_code >= 500:
        raise LicenseServiceUnavailable(f"licence service failed: {text}")
    raise _ERRORS_BY_CODE.get(str(code), LicenseError)(text)
