"""The edge's Modbus/TCP servers: one per Modbus API controller, in step with the App Center."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from wattkeeper.api.context import RpcHandler
from wattkeeper.api.modbus.image import ProcessImage
from wattkeeper.api.modbus.server import ModbusTcpApiServer, ServerLimits, ServerState
from wattkeeper.api.modbus.writes import RegisterWriter
from wattkeeper.controllers.api_modbus import ModbusApiController, ModbusApiWorker
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.snapshot import SnapshotSource
from wattkeeper.core.writes import WriteGate

log = logging.getLogger(__name__)


class ModbusApis:
    def __init__(
        self,
        manager: ComponentManager,
        host: str,
        snapshots: SnapshotSource | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._manager = manager
        self._snapshots = snapshots  # the cycle's: a read never mixes two cycles
        #: `componentJsonApi` handlers by component id: each running API answers there
        self._component_methods: dict[str, RpcHandler] = {}
        self._protocol_rpc: Callable[[str], RpcHandler] | None = None
        self.host = host
        self._monotonic = monotonic  # rate limits count real time, whatever clock the cycle has
        self.servers: dict[str, ModbusTcpApiServer] = {}
        self._running = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()

    def attach_rpc(
        self, component_methods: dict[str, RpcHandler], protocol_rpc: Callable[[str], RpcHandler]
    ) -> None:
        """Each running API answers `componentJsonApi` `getModbusProtocol` under its own id."""
        self._component_methods = component_methods
        self._protocol_rpc = protocol_rpc

    def images(self) -> dict[str, ProcessImage]:
        """Each running API's register map, by controller id (for `getModbusProtocol`)."""
        return {cid: server.state.image for cid, server in self.servers.items()}

    async def start(self) -> None:
        self._running = True
        await self.sync()

    async def stop(self) -> None:
        self._running = False
        async with self._lock:
            for cid, server in self.servers.items():
                await server.stop()
                self._component_methods.pop(cid, None)
            self.servers.clear()

    def changed(self) -> None:
        """A configuration change (App Center, JSON-RPC): servers follow in the event loop."""
        if not self._running:
            return
        task = asyncio.get_running_loop().create_task(self.sync())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def sync(self) -> None:
        async with self._lock:
            controllers = {c.id: c for c in self._manager.of_type(ModbusApiController)}
            for cid in list(self.servers):
                server = self.servers[cid]
                controller = controllers.get(cid)
                if controller is None or controller.config.port not in (0, server.port):
                    await server.stop()
                    del self.servers[cid]
                    self._component_methods.pop(cid, None)
            for cid, controller in controllers.items():
                running = self.servers.get(cid)
                if running is None:
                    await self._start(controller)
                else:
                    self._refresh(running.state, controller)

    def _state(self, controller: ModbusApiController) -> ServerState:
        image, writer = self._image(controller)
        return ServerState(image, writer, self._limits(controller), self._monotonic)

    def _image(self, controller: ModbusApiController) -> tuple[ProcessImage, RegisterWriter | None]:
        writable = isinstance(controller, ModbusApiWorker)
        image = ProcessImage(
            self._manager, list(controller.config.component_ids), writable, self._snapshots
        )
        controller.missing(image.missing)
        writer = RegisterWriter(image, self._gate(controller.id)) if writable else None
        return image, writer

    @staticmethod
    def _limits(controller: ModbusApiController) -> ServerLimits:
        config = controller.config
        return ServerLimits(config.max_concurrent_connections, tuple(config.allowed_clients))

    def _gate(self, controller_id: str) -> Callable[[], WriteGate | None]:
        def gate() -> WriteGate | None:
            component = self._manager.find(controller_id)
            return component if isinstance(component, ModbusApiWorker) else None

        return gate

    def _refresh(self, state: ServerState, controller: ModbusApiController) -> None:
        """New components or a changed list: a new map; open connections keep their slots."""
        state.image, state.writer = self._image(controller)
        state.limits = self._limits(controller)

    async def _start(self, controller: ModbusApiController) -> None:
        server = ModbusTcpApiServer(self._state(controller), self.host, controller.config.port)
        try:
            port = await server.start()
        except OSError as error:
            problem = f"port {controller.config.port} on {self.host}: {error.strerror or error}"
            log.error("%s: Modbus/TCP API not served: %s", controller.id, problem)
            controller.listening(None, problem)
            return
        log.info("%s: Modbus/TCP API on %s:%d", controller.id, self.host, port)
        controller.listening(port)
        self.servers[controller.id] = server
        if self._protocol_rpc is not None:
            self._component_methods[controller.id] = self._protocol_rpc(controller.id)
