"""`appCenter`: the key requests OpenEMS's UI sends before installing a licensed app.

In OpenEMS an edge forwards these to its backend, which keeps the keys. Our keys are checked
on the edge itself (format, check digit and app code here; the signed licence on install), so
the edge answers them: `isAppFree`, `isKeyApplicable`, `getPossibleApps`, `getRegisteredKeys`,
`addRegisterKeyHistory` and `installAppWithSuppliedKey`.
"""

from __future__ import annotations

import json
from typing import Any

from wattkeeper.api.app_center import APP_MANAGER_ID, AppCenterApi, text_param
from wattkeeper.api.auth import require
from wattkeeper.api.context import RpcCall
from wattkeeper.api.errors import ApiError, bad_request
from wattkeeper.api.rpc import parse_request
from wattkeeper.api.users import Role
from wattkeeper.apps.catalog import CATALOG
from wattkeeper.apps.manager import AppError
from wattkeeper.licensing import LicenseError, parse_key


class AppCenterKeys:
    def __init__(self, app_center: AppCenterApi) -> None:
        self.app_center = app_center

    async def __call__(self, call: RpcCall) -> Any:
        try:
            return await self._dispatch(call)
        except AppError as error:
            raise ApiError(error.status, str(error)) from None

    async def _dispatch(self, call: RpcCall) -> Any:
        payload = call.params.get("payload")
        if not isinstance(payload, dict):
            raise bad_request('appCenter needs a "payload" request object')
        _, method, params = parse_request(json.dumps(payload).encode())
        inner = RpcCall(method, params, call.user, call.remote, call.via)
        if method == "isAppFree":
            spec = self.app_center.apps.spec(text_param(params, "appId"))
            return {"isAppFree": not spec.licensed}
        if method == "isKeyApplicable":
            return self._key_applicable(text_param(params, "key"), text_param(params, "appId"))
        if method == "getPossibleApps":
            app_id = _key_app(text_param(params, "key"))
            return {"bundles": [[_backend_app(app_id)]] if app_id else []}
        if method == "getRegisteredKeys":
            return {"keys": []}  # keys are typed in; none are held for this edge elsewhere
        require(call.user, Role.OWNER, f"App Center: {method}")
        if method == "addRegisterKeyHistory":
            return {}
        if method == "installAppWithSuppliedKey":
            return await self._install_with_supplied_key(inner)
        raise bad_request(f"Unknown appCenter method [{method}]")

    @staticmethod
    def _key_applicable(key: str, app_id: str) -> dict[str, Any]:
        key_app = _key_app(key)
        return {
            "isKeyApplicable": key_app == app_id,
            "additionalInfo": {
                "keyId": key,
                "bundles": [[_backend_app(key_app)]] if key_app else [],
                "registrations": [],
                "usages": [],
            },
        }

    async def _install_with_supplied_key(self, call: RpcCall) -> Any:
        """The UI's install without a typed key: works when a licence is on the edge already."""
        request = call.params.get("installRequest")
        if not isinstance(request, dict):
            raise bad_request('installAppWithSuppliedKey needs an "installRequest" object')
        _, method, params = parse_request(json.dumps(request).encode())
        payload = params.get("payload")
        if method != "componentJsonApi" or params.get("componentId") != APP_MANAGER_ID:
            raise bad_request('"installRequest" must be a componentJsonApi request to _appManager')
        if not isinstance(payload, dict):
            raise bad_request('"installRequest" needs a "payload" object')
        _, inner_method, inner_params = parse_request(json.dumps(payload).encode())
        if inner_method != "addAppInstance":
            raise bad_request('"installRequest" must carry an addAppInstance request')
        return await self.app_center(
            RpcCall(inner_method, inner_params, call.user, call.remote, call.via)
        )


def _key_app(key: str) -> str | None:
    """The app a well-formed key unlocks, or None (typo, unknown app code)."""
    try:
        app_id = parse_key(key).app_id
    except (LicenseError, ValueError):
        return None
    return app_id if app_id in CATALOG else None


def _backend_app(app_id: str | None) -> dict[str, Any]:
    """An app as OpenEMS's backend lists it in a key's bundle: `{id, appId}`."""
    return {"id": list(CATALOG).index(app_id) + 1 if app_id in CATALOG else 0, "appId": app_id}
