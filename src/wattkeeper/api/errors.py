"""API errors: honest HTTP statuses with the OpenEMS JSON-RPC error body."""

from __future__ import annotations

import json
from typing import Any

NULL_ID = "00000000-0000-0000-0000-000000000000"


class Code:
    GENERIC = 1
    NO_SUCH_CHANNEL = 1000
    ROLE_DENIED = 1002
    AUTHENTICATION_FAILED = 1003
    NO_SUCH_COMPONENT = 2000


class ApiError(Exception):
    """An error answered to the client; never a 500 for the client's own mistake."""

    def __init__(
        self,
        status: int,
        message: str,
        code: int = Code.GENERIC,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self, request_id: Any = NULL_ID) -> dict[str, Any]:
        return {
            "jsonrpc": "2.0",
            "id": request_id,
            "error": {"code": self.code, "message": self.message, "data": []},
        }

    def json(self, request_id: Any = NULL_ID) -> bytes:
        return json.dumps(self.body(request_id), separators=(",", ":")).encode()


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)
