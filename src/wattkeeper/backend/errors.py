"""A user's JSON-RPC request to a backend node: parsed, or refused with status, code, message."""

from __future__ import annotations

import json
from typing import Any


class RpcError(Exception):
    def __init__(self, status: int, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def parse_request(data: bytes, what: str) -> tuple[Any, str, dict[str, Any] | None]:
    """(id, method, params) of a request; params None when they are not an object (the caller
    refuses that with the id known, so the error reaches the right request)."""
    try:
        message = json.loads(data, parse_constant=_no_constant)
    except ValueError:
        raise RpcError(400, f"{what} is not JSON") from None
    except RecursionError:  # "[[[[…": within the size bound, deeper than the parser goes
        raise RpcError(400, f"{what} is nested too deeply") from None
    if not isinstance(message, dict) or not isinstance(message.get("method"), str):
        raise RpcError(400, 'a JSON-RPC request needs a "method"')
    params = message.get("params") or {}
    return message.get("id"), message["method"], params if isinstance(params, dict) else None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
