"""Splitting `/rest/channel/<component>/<channel>` where both parts may be regular expressions."""

from __future__ import annotations

from wattkeeper.api.errors import bad_request

PREFIX = "/rest/channel/"


def split_address(rest: str) -> tuple[str, str]:
    """Split at the first `/` that is not inside `[...]` (a character class may contain `/`)."""
    depth = 0
    escaped = False
    for index, char in enumerate(rest):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif char == "/" and depth == 0:
            component, channel = rest[:index], rest[index + 1 :]
            if component and channel:
                return component, channel
            break
    raise bad_request(
        f"Invalid channel address [{rest}]: expected /rest/channel/<component>/<channel>"
    )
