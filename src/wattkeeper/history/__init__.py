"""History store: records channel values per cycle and answers OpenEMS history queries."""

from wattkeeper.history.config import HistoryConfig
from wattkeeper.history.errors import HistoryQueryError
from wattkeeper.history.jsonrpc import HistoryJsonRpc
from wattkeeper.history.kinds import Kind
from wattkeeper.history.protocol import HistoryStore, Period, Resolution
from wattkeeper.history.sqlite_store import SqliteHistoryStore

__all__ = [
    "HistoryConfig",
    "HistoryJsonRpc",
    "HistoryQueryError",
    "HistoryStore",
    "Kind",
    "Period",
    "Resolution",
    "SqliteHistoryStore",
]
