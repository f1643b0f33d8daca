"""`_updateManager`: OpenEMS's list of separately updatable parts; this edge has none.

OpenEMS's system page asks it for `getUpdateables` next to `_host/getSystemUpdateState`; the
edge is updated as one package, so the list is empty rather than an error on the page.
"""

from __future__ import annotations

from typing import Any

from wattkeeper.api.context import RpcCall
from wattkeeper.api.errors import bad_request

UPDATE_MANAGER_ID = "_updateManager"


async def update_manager(call: RpcCall) -> Any:
    if call.method == "getUpdateables":
        return {"updateables": []}
    raise bad_request(f"Component [{UPDATE_MANAGER_ID}] has no JSON API method [{call.method}]")
