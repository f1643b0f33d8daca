"""Home Assistant's device-based MQTT discovery message for this edge.

Facts relied on (Home Assistant core, read 2026-12-07):
* `homeassistant/components/mqtt/schemas.py`, DEVICE_DISCOVERY_SCHEMA: a device message needs
  `device` (with at least one of `identifiers`/`connections`), `origin` (with `name`) and
  `components`, each with a `platform` HA supports; availability options (`availability_topic`,
  `payload_available`, `payload_not_available`) may be given once for the whole device.
* The MQTT discovery docs (home-assistant.io `source/_integrations/mqtt.markdown`): the topic is
  `<discovery_prefix>/device/<object_id>/config` (object id `[a-zA-Z0-9_-]+`), the message is
  retained, every component of a device message needs a `unique_id`; the birth message
  `online` on `homeassistant/status` asks devices to send discovery again.
* `homeassistant/components/sensor/const.py`, DEVICE_CLASS_UNITS / DEVICE_CLASS_STATE_CLASSES:
  `battery` in `%` with `measurement`; `power` in `W` with `measurement`; `energy` in `Wh` with
  `total_increasing` (or `total`) — what the Energy dashboard accepts for grid, solar and
  battery.
* `number.mqtt.markdown`: `command_topic` is required; `min` defaults to 1 and `max` to 100, so a
  setpoint in W sets both. `button.mqtt.markdown`: `command_topic` required, `payload_press`
  is what a press publishes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from wattkeeper import __version__
from wattkeeper.core.manager import ComponentManager
from wattkeeper.mqtt.topics import Topics
from wattkeeper.natures.ess import MAX_APPARENT_POWER, SET_ACTIVE_POWER_EQUALS

FALLBACK_MAX_W = 10_000  # when a battery does not report its power limit yet


@dataclass(frozen=True)
class SensorSpec:
    channel: str  # a `_sum` channel
    name: str
    device_class: str
    state_class: str
    unit: str


SENSORS = (
    SensorSpec("EssSoc", "Battery state of charge", "battery", "measurement", "%"),
    SensorSpec("EssDischargePower", "Battery power", "power", "measurement", "W"),
    SensorSpec("GridActivePower", "Grid power", "power", "measurement", "W"),
    SensorSpec("ProductionActivePower", "Production power", "power", "measurement", "W"),
    SensorSpec("ConsumptionActivePower", "Consumption power", "power", "measurement", "W"),
    SensorSpec("GridBuyActiveEnergy", "Grid import", "energy", "total_increasing", "Wh"),
    SensorSpec("GridSellActiveEnergy", "Grid export", "energy", "total_increasing", "Wh"),
    SensorSpec("ProductionActiveEnergy", "Production energy", "energy", "total_increasing", "Wh"),
    SensorSpec("ConsumptionActiveEnergy", "Consumption energy", "energy", "total_increasing", "Wh"),
    SensorSpec("EssDcChargeEnergy", "Battery charge energy", "energy", "total_increasing", "Wh"),
    SensorSpec(
        "EssDcDischargeEnergy", "Battery discharge energy", "energy", "total_increasing", "Wh"
    ),
)


def object_id(edge_id: str) -> str:
    return "wattkeeper_" + re.sub(r"[^A-Za-z0-9_-]", "_", edge_id)


def discovery_topic(prefix: str, edge_id: str) -> str:
    return f"{prefix}/device/{object_id(edge_id)}/config"


def discovery_message(
    manager: ComponentManager, topics: Topics, edge_id: str, client_id: str
) -> dict[str, Any]:
    oid = object_id(edge_id)
    components: dict[str, Any] = {}
    for spec in SENSORS:
        if f"{spec.channel}" not in manager.get("_sum").channels:
            continue
        key = f"sum_{_snake(spec.channel)}"
        components[key] = {
            "platform": "sensor",
            "unique_id": f"{oid}_{key}",
            "name": spec.name,
            "state_topic": topics.channel(f"_sum/{spec.channel}"),
            # `null` (no value yet) becomes None, which HA shows as unknown
            "value_template": "{{ value_json }}",
            "device_class": spec.device_class,
            "state_class": spec.state_class,
            "unit_of_measurement": spec.unit,
        }
    for component in manager:
        if SET_ACTIVE_POWER_EQUALS.name not in component.channels:
            continue
        address = f"{component.id}/{SET_ACTIVE_POWER_EQUALS.name}"
        limit = _max_power(component.channels.get(MAX_APPARENT_POWER.name))
        components[f"{component.id}_setpoint"] = {
            "platform": "number",
            "unique_id": f"{oid}_{component.id}_setpoint",
            "name": f"{component.id} setpoint",  # W: + discharge, - charge
            "command_topic": topics.command(address),
            "device_class": "power",
            "unit_of_measurement": "W",
            "min": -limit,
            "max": limit,
            "step": 100,
            "mode": "box",
        }
        components[f"{component.id}_release"] = {
            "platform": "button",
            "unique_id": f"{oid}_{component.id}_release",
            "name": f"{component.id} release setpoint",
            "command_topic": topics.command(address),
            "payload_press": "null",
        }
    return {
        "device": {
            "identifiers": [oid],
            "name": f"wattkeeper {client_id}",
            "manufacturer": "wattkeeper",
            "model": "Energy management system",
            "sw_version": __version__,
        },
        "origin": {"name": "wattkeeper", "sw_version": __version__},
        "availability_topic": topics.status,
        "payload_available": "online",
        "payload_not_available": "offline",
        "components": components,
        "qos": 0,
    }


def _max_power(channel: Any) -> int:
    value = getattr(channel, "value", None)
    return int(value) if isinstance(value, int | float) and value > 0 else FALLBACK_MAX_W


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
