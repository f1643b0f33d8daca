"""A component's own JSON API (`componentJsonApi {componentId, payload}`), without the API layer."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class JsonApiComponent(Protocol):
    """Answers `method(params)` quickly (it runs on the event loop); `may_write`: the user is an
    owner or more. An answer that needs blocking I/O (a history query) is a coroutine that runs
    the I/O in a worker thread; the API awaits it. A client's mistake raises
    WriteRejected with a sentence saying what was wrong."""

    def json_api(self, method: str, params: dict[str, Any], may_write: bool) -> Any: ...
