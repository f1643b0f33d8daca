"""The OpenAPI document matches what the server really serves."""

from __future__ import annotations

import re

from starlette.routing import Route

from tests.api.conftest import GUEST, OWNER
from wattkeeper.api.openapi import openapi_document

NOT_API = {"/openapi.json", "/api-docs", "/jsonrpc/"}  # documentation pages and an alias


def served(api) -> set[tuple[str, str]]:
    routes = {
        (route.path, method.lower())
        for route in api.edge.asgi.starlette.routes
        if isinstance(route, Route) and route.path not in NOT_API and route.methods
        for method in route.methods
        if method != "HEAD"
    }
    # the raw REST app answers GET and POST under /rest/channel/
    return routes | {
        ("/rest/channel/{component}/{channel}", "get"),
        ("/rest/channel/{component}/{channel}", "post"),
    }


def documented() -> set[tuple[str, str]]:
    return {(path, method) for path, item in openapi_document()["paths"].items() for method in item}


async def test_every_route_is_documented_and_every_documented_route_exists(api) -> None:
    assert documented() == served(api)


async def test_served_document_and_real_answers_fit_the_schemas(api) -> None:
    response = await api.get("/openapi.json")
    document = response.json()
    assert document == openapi_document()
    schemas = document["components"]["schemas"]
    channel = (await api.get("/rest/channel/_sum/EssSoc")).json()
    assert set(schemas["Channel"]["required"]) <= set(channel)
    assert set(channel) <= set(schemas["Channel"]["properties"])
    error = (await api.get("/rest/channel/_sum/Nope")).json()
    assert set(schemas["Error"]["required"]) <= set(error)
    assert set(schemas["Error"]["properties"]["error"]["required"]) <= set(error["error"])
    post = document["paths"]["/rest/channel/{component}/{channel}"]["post"]
    example = post["requestBody"]["content"]["application/json"]["example"]
    assert (await api.post("ess0/SetActivePowerEquals", example, auth=OWNER)).json() == post[
        "responses"
    ]["200"]["content"]["application/json"]["example"]


async def test_try_page_is_served_and_loads_nothing_from_the_internet(api) -> None:
    response = await api.client.get("/api-docs", headers=GUEST)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert not re.search(r"(src|href)=\"https?://", response.text)
    assert "/rest/channel/ess0/SetActivePowerEquals" in response.text
