"""`_meta`: facts about the edge itself (OpenEMS's Meta): version, time, market settings."""

from __future__ import annotations

from wattkeeper import __version__
from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit
from wattkeeper.core.clock import Clock
from wattkeeper.core.component import Component

META_ID = "_meta"
CURRENCY_EUR = 0
NO_LIMITATION = 0

VERSION = ChannelDoc("Version", ChannelType.STRING, text="wattkeeper version")
SYSTEM_TIME_UTC = ChannelDoc(
    "SystemTimeUtc", ChannelType.LONG, Unit.SECONDS, text="Unix time of the cycle"
)
CURRENCY = ChannelDoc(
    "Currency",
    ChannelType.INTEGER,
    text="-1:Undefined, 0:EUR, 1:SEK, 2:CHF",
    options=(("UNDEFINED", -1), ("EUR", 0), ("SEK", 1), ("CHF", 2)),
)
IS_ESS_CHARGE_FROM_GRID_ALLOWED = ChannelDoc(
    "IsEssChargeFromGridAllowed", ChannelType.BOOLEAN, text="Controllers may charge from grid"
)
GRID_FEED_IN_LIMITATION_TYPE = ChannelDoc(
    "GridFeedInLimitationType",
    ChannelType.INTEGER,
    text="-1:Undefined, 0:No limitation, 1:Dynamic limitation",
    options=(("UNDEFINED", -1), ("NO_LIMITATION", 0), ("DYNAMIC_LIMITATION", 1)),
)
GRID_BUY_SOFT_LIMIT = ChannelDoc(
    "GridBuySoftLimit", ChannelType.INTEGER, Unit.WATT, text="None configured"
)
META_CHANNELS = (
    VERSION,
    SYSTEM_TIME_UTC,
    CURRENCY,
    IS_ESS_CHARGE_FROM_GRID_ALLOWED,
    GRID_FEED_IN_LIMITATION_TYPE,
    GRID_BUY_SOFT_LIMIT,
)

#: The settings `_meta` reports (OpenEMS reads them from its Meta configuration; the edge has no
#: tariff or feed-in limit settings yet, so these are the facts of every wattkeeper site).
META_PROPERTIES = {
    "currency": "EUR",
    "gridFeedInLimitationType": "NO_LIMITATION",
    "isEssChargeFromGridAllowed": True,
}


class MetaComponent(Component):
    """Version once; the wall clock with every process image."""

    nature_id = "Meta"

    def __init__(self, clock: Clock) -> None:
        super().__init__(META_ID, "Meta")
        self.declare_all(META_CHANNELS)
        self._clock = clock
        self.channel(VERSION).set_now(__version__)
        self.channel(CURRENCY).set_now(CURRENCY_EUR)
        self.channel(IS_ESS_CHARGE_FROM_GRID_ALLOWED).set_now(1)
        self.channel(GRID_FEED_IN_LIMITATION_TYPE).set_now(NO_LIMITATION)

    def before_process_image(self, now: float) -> None:
        self.set(SYSTEM_TIME_UTC, int(self._clock.time()))
