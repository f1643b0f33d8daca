"""Typed errors raised by the history store."""


class HistoryQueryError(ValueError):
    """A history query or its parameters were invalid; the message names the culprit."""
