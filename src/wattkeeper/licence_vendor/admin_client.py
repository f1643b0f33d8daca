"""The vendor's admin client of its own licence service: issuing keys over HTTP."""

from __future__ import annotations

from wattkeeper.licensing.client import LicenceServiceClient
from wattkeeper.licensing.errors import LicenseServiceUnavailable


class LicenceAdminClient(LicenceServiceClient):
    """The edge's client plus ``POST /api/v1/keys``, which needs the service's admin token."""

    def issue(self, app_id: str, admin_token: str) -> str:
        """Issue a new key for ``app_id``; return its 16 digits."""
        answer = self._post("/api/v1/keys", {"appId": app_id}, token=admin_token)
        key = answer.get("key")
        if not isinstance(key, str):
            raise LicenseServiceUnavailable("licence service answered without a key")
        return key
