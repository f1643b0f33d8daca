"""`Controller.Api.Rest.ReadWrite` / `ReadOnly`: the REST API's controller; the write variant is
a write gate with its lease (`controllers/api_worker.py`)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.controllers.api_worker import ApiWorker
from wattkeeper.core.controller import Controller, Priority
from wattkeeper.core.state import Level, StateDoc

log = logging.getLogger(__name__)

DEFAULT_PASSWORDS = StateDoc(
    "DefaultPasswords", Level.WARNING, "Default passwords are in use: change them"
)
UNABLE_TO_START = StateDoc("UnableToStart", Level.FAULT, "The HTTP server could not bind its port")


class ReadWriteConfig(ComponentConfig):
    api_timeout: int = Field(
        60, alias="apiTimeout", ge=0, le=86_400, description="Seconds; 0: never"
    )
    port: int = Field(8084, ge=0, le=65_535, description="HTTP port (0: any free port)")
    debug_mode: bool = Field(False, alias="debugMode")


class ReadOnlyConfig(ComponentConfig):
    port: int = Field(8084, ge=0, le=65_535, description="HTTP port (0: any free port)")
    debug_mode: bool = Field(False, alias="debugMode")


class RestApiController(Controller):
    """Either variant of the REST API; its presence says the REST API is enabled."""

    nature_id = "RestApi"
    priority = Priority.REST_API

    def __init__(self, cid: str, alias: str, config: Any, ctx: BuildContext | None = None) -> None:
        super().__init__(cid, alias, config)
        self.declare_state(DEFAULT_PASSWORDS, UNABLE_TO_START)
        #: where the API really listens once the servers run (None: not known yet)
        self.listening_port: int | None = None

    def run(self) -> None:
        return None

    def listening(self, port: int, problem: str = "") -> None:
        """The edge bound the servers: `port` is where this API is served. The `port` property
        says so from now on (it names the port clients reach, not merely the wish)."""
        self.listening_port = port
        if problem:
            self.raise_state(UNABLE_TO_START, problem)
        else:
            self.clear_state(UNABLE_TO_START)
        self.config = self.config.model_copy(update={"port": port})

    def update_config(self, config: Any) -> None:
        # the servers are bound at start: a new port takes effect with the next start
        if self.listening_port is not None and config.port != self.listening_port:
            log.warning("%s: port %d is used from the next start on", self.id, config.port)
            config = config.model_copy(update={"port": self.listening_port})
        super().update_config(config)


class RestApiReader(RestApiController):
    """The read-only variant: holds nothing."""

    nature_id = "ControllerApiRestReadOnly"


class RestApiWorker(ApiWorker, RestApiController):
    """The read-write variant: holds accepted writes under a lease (the gate of ApiWorker)."""

    nature_id = "ControllerApiRestReadWrite"
    config: ReadWriteConfig


def _build_rw(cid: str, alias: str, config: Any, ctx: BuildContext) -> RestApiWorker:
    return RestApiWorker(cid, alias, config, ctx)


def _build_ro(cid: str, alias: str, config: Any, ctx: BuildContext) -> RestApiReader:
    return RestApiReader(cid, alias, config, ctx)


READ_WRITE = Factory(
    "Controller.Api.Rest.ReadWrite", ReadWriteConfig, _build_rw, "REST/JSON API, read and write"
)
READ_ONLY = Factory(
    "Controller.Api.Rest.ReadOnly", ReadOnlyConfig, _build_ro, "REST/JSON API, read only"
)
