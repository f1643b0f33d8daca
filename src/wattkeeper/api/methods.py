"""Every JSON-RPC method and component JSON API of the edge, registered in this one place."""

from __future__ import annotations

from wattkeeper.api.app_center import APP_MANAGER_ID, AppCenterApi
from wattkeeper.api.app_center_keys import AppCenterKeys
from wattkeeper.api.component_manager import COMPONENT_MANAGER_ID, ComponentManagerApi
from wattkeeper.api.context import ApiContext
from wattkeeper.api.current_data_rpc import CurrentDataRpc
from wattkeeper.api.history_api import HistoryApi
from wattkeeper.api.host import HOST_ID, HostApi
from wattkeeper.api.modbus.protocol_rpc import ModbusProtocolRpc
from wattkeeper.api.overrides_rpc import OverrideMethods
from wattkeeper.api.rpc import Dispatcher
from wattkeeper.api.update_manager import UPDATE_MANAGER_ID, update_manager


def register_methods(
    ctx: ApiContext, dispatcher: Dispatcher, history: HistoryApi, app_center: AppCenterApi
) -> None:
    """The same methods answer on `/jsonrpc`, inside the websocket's `edgeRpc` and, for the
    component JSON APIs, through `componentJsonApi {componentId, payload}`."""
    overrides = OverrideMethods(ctx)
    ctx.methods.update(
        {
            # OpenEMS's edge methods
            "getEdgeConfig": dispatcher.get_edge_config,
            "updateComponentConfig": dispatcher.update_component_config,
            "createComponentConfig": dispatcher.create_component_config,
            "deleteComponentConfig": dispatcher.delete_component_config,
            "setChannelValue": dispatcher.set_channel_value,
            "componentJsonApi": dispatcher.component_json_api,
            "changePassword": dispatcher.change_password,
            # the history (OpenEMS's queries)
            **{method: history.query for method in history.rpc.methods},
            # ours: the audit log, and the web UI's way to the write gate
            "getAuditLog": dispatcher.get_audit_log,
            "setOverride": overrides.set_override,
            "getOverrides": overrides.get_overrides,
            # the licence-key requests OpenEMS's UI sends to its backend, answered by the edge
            "appCenter": AppCenterKeys(app_center),
            # the Modbus/TCP API's register map (also each Modbus controller's componentJsonApi)
            "getModbusProtocol": ModbusProtocolRpc(ctx),
            # live values for a fleet backend's UI socket (what currentData carries)
            "getCurrentData": CurrentDataRpc(ctx),
        }
    )
    ctx.component_methods.update(
        {
            COMPONENT_MANAGER_ID: ComponentManagerApi(ctx),
            APP_MANAGER_ID: app_center,
            HOST_ID: HostApi(),
            UPDATE_MANAGER_ID: update_manager,
        }
    )
