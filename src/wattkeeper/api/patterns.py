"""Channel-address patterns matched in linear time (RE2: no backtracking, no catastrophic input)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol

import re2  # type: ignore[import-untyped]

from wattkeeper.core.channel import Channel
from wattkeeper.core.component import Component
from wattkeeper.core.errors import WattkeeperError
from wattkeeper.core.manager import ComponentManager

#: a 98-name alternation is ~2 KB; 8 KB leaves room without letting a client compile megabytes
MAX_PATTERN = 8192
#: RE2 refuses a pattern whose compiled program would need more memory than this
MAX_PROGRAM_BYTES = 4 << 20
#: compiled patterns kept; dashboards send the same few patterns every second
CACHE_SIZE = 256


class InvalidPattern(WattkeeperError):
    """A channel address pattern is too long, malformed or uses syntax RE2 does not have."""


class Pattern(Protocol):
    def fullmatch(self, text: str) -> Any: ...


def _options() -> Any:
    options = re2.Options()
    options.max_mem = MAX_PROGRAM_BYTES
    options.log_errors = False  # a client's typo is answered, not written to stderr
    return options


_OPTIONS = _options()


def compile_pattern(pattern: str) -> Pattern:
    """A compiled pattern, or InvalidPattern saying what is wrong (answered as a 400)."""
    if len(pattern) > MAX_PATTERN:
        raise InvalidPattern(
            f"Regular expression is {len(pattern)} characters long; at most {MAX_PATTERN} "
            "are accepted"
        )
    return _compile(pattern)


@lru_cache(maxsize=CACHE_SIZE)
def _compile(pattern: str) -> Pattern:
    try:
        compiled: Pattern = re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise InvalidPattern(
            f"Invalid or unsupported regular expression [{_clip(pattern)}]: {reason}. Patterns "
            "are matched in linear time (RE2 syntax): look-arounds, back-references and "
            "possessive quantifiers are not supported"
        ) from None
    return compiled


def _clip(pattern: str) -> str:
    return pattern if len(pattern) <= 200 else pattern[:200] + "…"


PLAIN_ID = re2.compile(r"[A-Za-z0-9_]+")


def match_channels(
    manager: ComponentManager, component_pattern: str, channel_pattern: str
) -> list[Channel]:
    """Channels whose component id and channel id fully match the two patterns (plain ids are
    looked up, not matched)."""
    components: list[Component]
    if PLAIN_ID.fullmatch(component_pattern):
        component = manager.find(component_pattern)
        components = [] if component is None else [component]
    else:
        comp_re = compile_pattern(component_pattern)
        components = [c for c in manager if comp_re.fullmatch(c.id)]
    if PLAIN_ID.fullmatch(channel_pattern):
        return [c.channels[channel_pattern] for c in components if channel_pattern in c.channels]
    chan_re = compile_pattern(channel_pattern)
    if channel_pattern == ".*":
        return [ch for c in components for ch in c.channels.values()]
    return [ch for c in components for ch in c.channels.values() if chan_re.fullmatch(ch.name)]
