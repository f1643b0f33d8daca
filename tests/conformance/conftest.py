"""The API fixtures of tests/api, shared with the conformance and client-replay tests."""

from tests.api.conftest import api, make_api  # noqa: F401
from tests.api.test_websocket import live  # noqa: F401
