"""The composition root: site config → components → cycle (and, later, the APIs and history)."""

from __future__ import annotations

import logging
import sqlite3
from functools import partial
from pathlib import Path

from starlette.routing import Route

from wattkeeper.api.app_center import AppCenterApi, AppManagerComponent
from wattkeeper.api.audit import AuditLog
from wattkeeper.api.auth import Authenticator
from wattkeeper.api.backend_uplink import BackendController
from wattkeeper.api.context import ApiContext
from wattkeeper.api.history_api import HistoryApi
from wattkeeper.api.host import HostComponent
from wattkeeper.api.methods import register_methods
from wattkeeper.api.modbus.protocol_rpc import ModbusProtocolRpc
from wattkeeper.api.server import EdgeAsgiApp, HttpServers
from wattkeeper.api.timedata import TIMEDATA_ID, TimedataComponent
from wattkeeper.api.users import UserStore
from wattkeeper.apps.manager import AppManager
from wattkeeper.config import property_channels
from wattkeeper.config.data_dir import local_url, remove_edge_url, write_edge_url
from wattkeeper.config.edge_id import edge_id
from wattkeeper.config.overrides import OverrideStore, StorageError
from wattkeeper.config.registry import BuildContext, Registry
from wattkeeper.config.runtime import Configurator, publish_config_properties
from wattkeeper.config.site import SiteConfig
from wattkeeper.config.state import StateFile
from wattkeeper.controllers.api_rest import DEFAULT_PASSWORDS, RestApiController, RestApiWorker
from wattkeeper.core.channel import ChannelType
from wattkeeper.core.clock import Clock, SystemClock
from wattkeeper.core.controller import Scheduler
from wattkeeper.core.cycle import Cycle
from wattkeeper.core.events import CycleDone
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.site_time import SiteTime
from wattkeeper.core.state import Level, StateDoc
from wattkeeper.core.writes import WriteGate
from wattkeeper.edge.counters import CounterContinuity, device_fingerprint
from wattkeeper.edge.factories import default_registry
from wattkeeper.edge.modbus_apis import ModbusApis
from wattkeeper.edge.recorder import HistoryRecorder
from wattkeeper.files.atomic import clean_temporary_files
from wattkeeper.history import SqliteHistoryStore
from wattkeeper.history.channel_slots import slot_values
from wattkeeper.licensing import TrustedKeys, default_trusted_keys, trusted_keys
from wattkeeper.mqtt.component import factory as mqtt_factory
from wattkeeper.natures.meta import META_ID, META_PROPERTIES, MetaComponent
from wattkeeper.natures.sum import Sum
from wattkeeper.power.stage import Power

log = logging.getLogger(__name__)

STORAGE_FAULT = StateDoc(
    "DataDirectoryNotWritable",
    Level.FAULT,
    "The data directory cannot be written: changes and channel writes are refused",
)
STORAGE_CHECK_CYCLES = 60  # how often the data directory is probed while the edge runs


class Edge:
    """One running site: the components, the cycle and everything that hangs off it."""

    def __init__(
        self,
        site: SiteConfig,
        data_dir: Path,
        clock: Clock | None = None,
        registry: Registry | None = None,
        speed: float | None = None,
        ports: list[int] | None = None,
    ) -> None:
        self.site = site
        self.data_dir = data_dir
        #: `--port` on the command line: exactly these ports, whatever the site and the REST
        #: components name (a second edge on one machine must not take the first one's 8084)
        self.exact_ports = list(ports) if ports else None
        data_dir.mkdir(parents=True, exist_ok=True)
        for leftover in clean_temporary_files(data_dir):
            log.info("removed %s, left by an interrupted write", leftover)
        self.clock = clock or SystemClock()
        self.edge_id = edge_id(data_dir)
        self.manager = ComponentManager()
        self.power = Power(self.manager)
        self.sum = Sum(self.manager)
        self.manager.add(self.sum)
        self.host = HostComponent(data_dir)
        self.host.declare_state(STORAGE_FAULT)
        self.manager.add(self.host)
        self.manager.add(MetaComponent(self.clock))
        settings = site.edge
        self.cycle = Cycle(
            self.manager,
            self.power,
            self.sum,
            self.clock,
            Scheduler(settings.scheduler),
            settings.period_ms,
            settings.min_spacing_ms,
        )
        property_channels.publish(
            self.cycle.component, {"cycleTime": (ChannelType.INTEGER, settings.period_ms)}
        )
        meta = self.manager.get_as(META_ID, MetaComponent)
        property_channels.publish(
            meta,
            {
                k: (property_channels.channel_type(type(v), v), v)
                for k, v in {**META_PROPERTIES, "timezone": settings.timezone}.items()
            },
        )
        self.site_time = SiteTime(self.clock, speed or settings.speed, settings.timezone)
        self.sum.elapsed = self.site_time.elapsed
        try:
            self.history = SqliteHistoryStore(data_dir / "history.sqlite")
        except sqlite3.Error as error:
            log.error("history unavailable (%s): kept in memory until the edge stops", error)
            self.history = SqliteHistoryStore(":memory:")
        audit = AuditLog(data_dir, settings.audit_retention_days)
        self.ctx = BuildContext(
            self.clock,
            self.manager,
            data_dir,
            power=self.power,
            site_time=self.site_time,
            wake=self.cycle.wake,
            audit=audit.record_write,
            history=partial(slot_values, self.history),  # the time-of-use schedule's past
        )
        self.state = StateFile(data_dir)
        # a registry of this edge's own: the MQTT API's factory is bound to this edge's API
        # context (which exists once the components are built)
        registry = Registry(registry or default_registry())
        registry.add(mqtt_factory(lambda: getattr(self, "api", None)))
        self.configurator = Configurator(registry, self.ctx, site, OverrideStore(self.state))
        self.configurator.build_all()
        self.users = UserStore(data_dir)
        self.modbus = ModbusApis(self.manager, site.edge.host, self.cycle.snapshots)
        self._rest_api_cache: tuple[object, WriteGate | None, str | None] | None = None
        self.api = ApiContext(
            manager=self.manager,
            configurator=self.configurator,
            registry=self.configurator.registry,
            cycle=self.cycle,
            clock=self.clock,
            auth=Authenticator(self.users, self.clock),
            audit=audit,
            edge_id=self.edge_id,
            write_gate=self._write_gate,
            rest_api_id=self._rest_api_id,
            modbus_images=self.modbus.images,
        )
        self.apps = AppManager(
            self.configurator,
            data_dir,
            self.edge_id,
            _trusted_keys(site),
            site.licensing.service_url,
        )
        app_center = AppCenterApi(self.apps)
        self.manager.add(AppManagerComponent())
        continuity = CounterContinuity(self.history, device_fingerprint(site.components), data_dir)
        self.cycle.events.subscribe(HistoryRecorder(self.manager, self.history, continuity))
        if TIMEDATA_ID not in {c.id for c in self.manager}:
            self.manager.add(TimedataComponent())
        history_api = HistoryApi(self.api, self.history)
        self.asgi = EdgeAsgiApp(
            self.api, [Route("/history/export.csv", history_api.export_csv, methods=["GET"])]
        )
        register_methods(self.api, self.asgi.dispatcher, history_api, app_center)
        self.modbus.attach_rpc(self.api.component_methods, partial(ModbusProtocolRpc, self.api))
        self._attach_uplinks()
        self.configurator.listeners.append(self._attach_uplinks)  # the App Center adds it
        self.cycle.events.subscribe(self._watch_users)
        self.cycle.events.subscribe(self._watch_storage)
        self._servers: HttpServers | None = None
        self.configurator.listeners.append(self._sync_ports)  # the App Center adds controllers
        self.configurator.listeners.append(self.modbus.changed)
        # a configuration change (its `_Property*` channels) is read back at once, not a cycle later
        self.configurator.listeners.append(self.cycle.snapshots.refresh)
        self._flag_default_passwords()
        self.check_storage()

    def check_storage(self) -> bool:
        """Probe the data directory; raise or clear `_host/DataDirectoryNotWritable`."""
        try:
            self.state.check_writable()
        except StorageError as error:
            self.host.raise_state(STORAGE_FAULT, str(error))
            return False
        if self.api.audit.fault is None:
            self.host.clear_state(STORAGE_FAULT)
            return True
        audit = self.api.audit
        self.host.raise_state(STORAGE_FAULT, f"{audit.path} cannot be written ({audit.fault})")
        return False

    def _watch_storage(self, event: CycleDone) -> None:
        if event.number % STORAGE_CHECK_CYCLES == 0:
            self.check_storage()

    def _watch_users(self, event: CycleDone) -> None:
        if event.number % 5:
            return  # a stat() every five cycles is soon enough
        if self.users.reload_if_changed():
            self.api.auth.forget_sessions()  # an old password must stop working at once
        self._flag_default_passwords()

    def _flag_default_passwords(self) -> None:
        defaults = self.users.defaults_in_use()
        for controller in self.manager.of_type(RestApiController):
            if defaults:
                controller.raise_state(DEFAULT_PASSWORDS, "users " + ", ".join(defaults))
            else:
                controller.clear_state(DEFAULT_PASSWORDS)

    def _attach_uplinks(self) -> None:
        for uplink in self.manager.of_type(BackendController):
            uplink.attach(self.api, self.asgi.dispatcher)

    def _write_gate(self) -> WriteGate | None:
        """The REST write app's controller, while it is installed: every API writes through it."""
        return self._rest_apis()[0]

    def _rest_api_id(self) -> str | None:
        return self._rest_apis()[1]

    def _rest_apis(self) -> tuple[WriteGate | None, str | None]:
        """(write gate, REST API id), looked up again only when components came or went: asked
        by every request, it must not cost a pass over the components."""
        channels = self.manager.all_channels()  # replaced whenever components come or go
        cached = self._rest_api_cache
        if cached is None or cached[0] is not channels:
            controllers = self.manager.of_type(RestApiController)
            writers = [c for c in controllers if isinstance(c, RestApiWorker)]
            api_id = next((c.id for c in writers or controllers), None)
            cached = self._rest_api_cache = (channels, next(iter(writers), None), api_id)
        return cached[1], cached[2]

    def http_ports(self) -> list[int]:
        """The command line's ports; else the site's plus each REST API component's `port`."""
        if self.exact_ports:
            return list(self.exact_ports)
        ports = list(self.site.edge.ports)
        for controller in self.manager.of_type(RestApiController):
            port = getattr(controller.config, "port", None)
            if isinstance(port, int) and port not in ports:
                ports.append(port)
        return ports

    async def start(self) -> None:
        for component in self.manager:
            await component.start()
        try:
            await self.apps.initialise()
        except StorageError as error:
            # the control loop runs without the App Center's first-start defaults saved
            log.error("App Center not initialised: %s", error)
            self.check_storage()
        self._flag_default_passwords()

    async def stop(self) -> None:
        self.cycle.stop()
        self.api.audit.close()
        self.history.close()
        for component in self.manager:
            try:
                await component.stop()
            except Exception:  # shutting down: report, then carry on with the rest
                log.exception("stopping %s failed", component.id)

    async def start_servers(self) -> HttpServers:
        servers = HttpServers(self.asgi, self.site.edge.host, self.http_ports())
        await servers.start()
        self._servers = servers
        self._sync_ports()
        await self.modbus.start()  # a Modbus port that cannot be bound is its controller's fault
        url = self.url()
        if url is not None:
            try:
                write_edge_url(self.data_dir, url)  # `wattkeeper get/set` look here first
            except OSError as error:  # a read-only data directory: the CLI needs --url then
                log.warning("cannot record the edge's URL in %s: %s", self.data_dir, error)
        return servers

    def _sync_ports(self) -> None:
        """Each REST controller's `port` becomes where it is really served (a free port for 0;
        the first bound port when `--port` chose others, or, with UnableToStart, when its own
        could not be bound)."""
        servers = self._servers
        if servers is None or not servers.bound:
            return
        changed = False
        entries = {e.id: e for e in self.configurator.entries()}
        for controller in self.manager.of_type(RestApiController):
            if controller.listening_port is not None:
                continue
            wanted = controller.config.port
            actual = servers.bound_by_request.get(wanted)
            if actual is None and self.exact_ports:
                controller.listening(servers.bound[0])  # the user chose the ports: no fault
            elif actual is None:
                actual = servers.bound[0]
                problem = f"port {wanted} is not served; the API answers on {actual}"
                log.warning("%s: %s", controller.id, problem)
                controller.listening(actual, problem)
            else:
                controller.listening(actual)
            entry = entries.get(controller.id)
            if entry is not None:
                changed |= publish_config_properties(controller, entry, controller.config)
        if changed:
            self.manager.reindex()

    def url(self) -> str | None:
        """Where a client on this machine reaches the REST API (None before the servers run)."""
        servers = self._servers
        if servers is None or not servers.bound:
            return None
        ports = [c.listening_port for c in self.manager.of_type(RestApiController)]
        port = next((p for p in ports if p is not None), servers.bound[0])
        return local_url(self.site.edge.host, port)

    async def stop_servers(self, servers: HttpServers) -> None:
        remove_edge_url(self.data_dir)
        await self.modbus.stop()
        await servers.stop()


def _trusted_keys(site: SiteConfig) -> TrustedKeys:
    keys = trusted_keys(site.licensing.trusted_keys) if site.licensing.trusted_keys else {}
    if site.licensing.trust_demo_key:
        keys = {**default_trusted_keys(), **keys}
    return keys
