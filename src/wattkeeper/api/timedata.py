"""`timedata0`: the history store as a component, so OpenEMS clients find a Timedata service."""

from __future__ import annotations

from wattkeeper.core.component import Component

TIMEDATA_ID = "timedata0"
#: Our own factory id: the store is SQLite, not OpenEMS's RRD4J or InfluxDB.
TIMEDATA_FACTORY = "Timedata.Sqlite"


class TimedataComponent(Component):
    """Stands for the history the edge records and answers `queryHistoric*` from."""

    def __init__(self) -> None:
        super().__init__(TIMEDATA_ID, "History (SQLite)")
        self.factory_id = TIMEDATA_FACTORY
