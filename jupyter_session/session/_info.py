"""What ``session.info`` holds, and the one parse of a user agent, which is bounded."""

from __future__ import annotations

from typing import Any

import user_agents

__all__ = ["MAX_USER_AGENT", "make_session_info", "parse_user_agent"]

#: User agents are cut to this many characters before parsing. Browsers send 100-300; the parser's regular
#: expressions take ~5 us a character and hold the GIL, so a page's megabyte-long one would stall the server.
MAX_USER_AGENT = 512


def make_session_info(
    user_agent: str = "",
    user_language: str = "",
    server_host: str = "",
    origin: str = "",
    user_ip: str = "",
    backend: str = "",
    protocol: str = "",
    request: Any = None,
) -> dict[str, Any]:
    """Build the dict behind ``session.info``; ``user_agent`` is parsed with ``user-agents``."""
    return dict(
        user_agent=parse_user_agent(user_agent),
        user_language=user_language,
        server_host=server_host,
        origin=origin,
        user_ip=user_ip,
        backend=backend,
        protocol=protocol,
        request=request,
    )


def parse_user_agent(user_agent: str) -> user_agents.parsers.UserAgent:
    """``user_agents.parse`` of at most the first ``MAX_USER_AGENT`` characters."""
    return user_agents.parse(user_agent[:MAX_USER_AGENT])
