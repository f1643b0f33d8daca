"""`componentJsonApi` on `_appManager`: the App Center over JSON-RPC (OpenEMS method names)."""

from __future__ import annotations

from typing import Any

from wattkeeper.api.app_center_wire import app_entry, assistant, descriptor, instance_wire
from wattkeeper.api.auth import require
from wattkeeper.api.context import RpcCall
from wattkeeper.api.errors import ApiError, bad_request
from wattkeeper.api.rest import storage_refused
from wattkeeper.api.users import Role
from wattkeeper.apps.catalog import AppSpec
from wattkeeper.apps.manager import AppError, AppManager
from wattkeeper.config.overrides import StorageError
from wattkeeper.core.component import Component
from wattkeeper.core.errors import WattkeeperError
from wattkeeper.licensing import LicenseError

APP_MANAGER_ID = "_appManager"


class AppManagerComponent(Component):
    """`_appManager` as a component: OpenEMS's UI reads its properties before installing."""

    def __init__(self) -> None:
        super().__init__(APP_MANAGER_ID, "App Manager")


class AppCenterApi:
    def __init__(self, apps: AppManager) -> None:
        self.apps = apps

    async def __call__(self, call: RpcCall) -> Any:
        try:
            return await self._dispatch(call)
        except AppError as error:
            raise ApiError(error.status, str(error)) from None
        except LicenseError as error:
            status = getattr(error, "http_status", 400)
            raise ApiError(status if 400 <= status < 500 else 400, str(error)) from None
        except StorageError as error:
            raise storage_refused(error) from None
        except WattkeeperError as error:
            raise bad_request(str(error)) from None

    async def _dispatch(self, call: RpcCall) -> Any:
        params = call.params
        if call.method == "getApps":
            return {"apps": [self._entry(spec) for spec in self.apps.specs()]}
        if call.method == "getApp":
            return {"app": self._entry(self.apps.spec(text_param(params, "appId")))}
        if call.method == "getAppAssistant":
            return assistant(self.apps.spec(text_param(params, "appId")))
        if call.method == "getAppDescriptor":
            return descriptor(self.apps.spec(text_param(params, "appId")))
        if call.method == "getAppInstances":
            app_id = params.get("appId")
            instances = [i for i in self.apps.instances if app_id in (None, i.app_id)]
            return {"instances": [instance_wire(i) for i in instances]}
        require(call.user, Role.OWNER, f"App Center: {call.method}")
        if call.method == "addAppInstance":
            key = params.get("key")
            if key is not None and not isinstance(key, str):
                raise bad_request('"key" must be a string such as "1234-5678-9012-3456"')
            instance = await self.apps.install(
                text_param(params, "appId"), key or None, _alias(params), _props(params)
            )
            wire = instance_wire(instance)
            return {"instanceId": instance.instance_id, "instance": wire, "warnings": []}
        if call.method == "updateAppInstance":
            alias = params.get("alias")
            instance = await self.apps.update(
                text_param(params, "instanceId"),
                alias if isinstance(alias, str) else None,
                _props(params),
            )
            return {"instance": instance_wire(instance), "warnings": []}
        if call.method == "deleteAppInstance":
            await self.apps.remove(text_param(params, "instanceId"))
            return {}
        raise bad_request(f"Unknown App Center method [{call.method}]")

    def _entry(self, spec: AppSpec) -> dict[str, Any]:
        instances = self.apps.instances_of(spec.app_id)
        return app_entry(
            spec,
            instances,
            self.apps.has_licence(spec),
            installable=not instances,
            included_in=self.apps.included_in(spec),
        )


def text_param(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    if not isinstance(value, str) or not value:
        raise bad_request(f'"{key}" must be a non-empty string')
    return value


def _alias(params: dict[str, Any]) -> str:
    alias = params.get("alias", "")
    if not isinstance(alias, str):
        raise bad_request('"alias" must be a string')
    return alias


def _props(params: dict[str, Any]) -> dict[str, Any]:
    props = params.get("properties", {})
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise bad_request('"properties" must be an object')
    return dict(props)
