"""The OpenAPI document of the REST endpoints (a test keeps it in sync with the routes)."""

from __future__ import annotations

from typing import Any

from wattkeeper import __version__

ERROR = {
    "type": "object",
    "required": ["jsonrpc", "id", "error"],
    "properties": {
        "jsonrpc": {"const": "2.0"},
        "id": {"type": ["string", "number", "null"]},
        "error": {
            "type": "object",
            "required": ["code", "message", "data"],
            "properties": {
                "code": {
                    "type": "integer",
                    "description": (
                        "1 generic, 1000 no such channel, 1002 role denied, "
                        "1003 authentication failed, 2000 no such component"
                    ),
                },
                "message": {"type": "string", "description": "What was wrong"},
                "data": {"type": "array"},
            },
        },
    },
}
CHANNEL = {
    "type": "object",
    "required": ["address", "type", "accessMode", "text", "unit"],
    "properties": {
        "address": {"type": "string", "example": "_sum/EssSoc"},
        "type": {"enum": ["BOOLEAN", "SHORT", "INTEGER", "LONG", "FLOAT", "DOUBLE", "STRING"]},
        "accessMode": {"enum": ["RO", "RW", "WO"]},
        "text": {"type": "string"},
        "unit": {"type": "string", "example": "%"},
        "value": {
            "description": "Number or string; null while unknown; absent for write-only channels",
            "oneOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}],
        },
    },
}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "Bad request (says what was wrong)",
        401: "No or wrong credentials",
        403: "Role too low, or write access not installed",
        404: "No such component or channel",
        405: "Method not allowed",
        408: "Body not sent within 10 s",
        413: "Body too large (REST write 64 KB, JSON-RPC 256 KB)",
        414: "URL longer than 16 KB",
        429: "Too many failed password checks from this address (see Retry-After)",
        431: "More than 100 headers, or headers longer than 32 KB",
        503: "The change cannot be saved or audited (the message names the path); nothing changed",
    }
    return {
        str(s): {
            "description": text[s],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for s in statuses
    }


ADDRESS_PARAMS = [
    {
        "name": "component",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 8192},
        "description": (
            "Component id; for GET a regular expression (RE2 syntax, full match, at most 8192 "
            "characters; look-arounds and back-references are refused with 400)"
        ),
        "example": "_sum",
    },
    {
        "name": "channel",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 8192},
        "description": "Channel id; for GET a regular expression, as for the component",
        "example": "(EssSoc|GridActivePower)",
    },
]


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "wattkeeper REST/JSON API",
            "version": __version__,
            "description": (
                "OpenEMS-compatible channel access. HTTP Basic: the password selects the user "
                "(guest reads; owner and above write). Battery: + discharge, - charge. "
                "Grid: + buy, - feed-in."
            ),
        },
        "components": {
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
            "schemas": {"Error": ERROR, "Channel": CHANNEL},
        },
        "security": [{"basic": []}],
        "paths": {
            "/rest/channel/{component}/{channel}": {
                "get": {
                    "summary": "Read one or many channels",
                    "description": "One match: an object. Several: an array of objects.",
                    "parameters": ADDRESS_PARAMS,
                    "responses": {
                        "200": {
                            "description": "The matching channel(s)",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "oneOf": [
                                            {"$ref": "#/components/schemas/Channel"},
                                            {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Channel"},
                                            },
                                        ]
                                    }
                                }
                            },
                        },
                        **_errors(400, 401, 403, 404, 414, 429, 431),
                    },
                },
                "post": {
                    "summary": "Write one channel (owner and above)",
                    "description": (
                        "Held and re-applied every cycle until the API timeout (default 60 s) "
                        "runs out; every accepted write re-arms it. "
                        '{"value": null} releases the channel.'
                    ),
                    "parameters": ADDRESS_PARAMS,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["value"],
                                    "properties": {
                                        "value": {
                                            "oneOf": [
                                                {"type": "number"},
                                                {"type": "string"},
                                                {"type": "null"},
                                            ]
                                        }
                                    },
                                },
                                "example": {"value": 5000},
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Accepted",
                            "content": {
                                "application/json": {"schema": {"type": "object"}, "example": {}}
                            },
                        },
                        **_errors(400, 401, 403, 404, 408, 413, 414, 429, 431, 503),
                    },
                },
            },
            "/history/export.csv": {
                "get": {
                    "summary": "Download history as CSV (guest and above)",
                    "parameters": [
                        {
                            "name": "fromDate",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "toDate",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "channels",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                            "example": "_sum/EssSoc,_sum/GridActivePower",
                        },
                        {
                            "name": "timezone",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                            "example": "Europe/Berlin",
                        },
                        {
                            "name": "resolution",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer"},
                            "description": "Seconds",
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "CSV: timestamp,<address>...",
                            "content": {"text/csv": {}},
                        },
                        **_errors(400, 401, 414, 429, 431),
                    },
                }
            },
            "/jsonrpc": {
                "post": {
                    "summary": "JSON-RPC 2.0 request (owner and above)",
                    "description": (
                        "Methods: getEdgeConfig, updateComponentConfig, createComponentConfig, "
                        "deleteComponentConfig, setChannelValue, componentJsonApi, getAuditLog, "
                        "changePassword, and the history queries. "
                        "`jsonrpc` and `id` may be omitted."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["method"],
                                    "properties": {
                                        "jsonrpc": {"const": "2.0"},
                                        "id": {"type": ["string", "number", "null"]},
                                        "method": {"type": "string", "minLength": 1},
                                        "params": {
                                            "type": "object",
                                            "description": "Nested at most 32 levels deep",
                                        },
                                    },
                                },
                                "example": {"method": "getEdgeConfig", "params": {}},
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "JSON-RPC success",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["jsonrpc", "id", "result"],
                                    }
                                }
                            },
                        },
                        **_errors(400, 401, 403, 404, 408, 413, 429, 503),
                    },
                }
            },
        },
    }
