"""URL parts shared by every blueprint: record ids and page numbers within what a database holds.

A browser or a hostile client may put any digits in a URL; an id or page beyond any real one is
"not found", never an integer overflow in the database driver (a 500).
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.routing import IntegerConverter, Map

#: Our ids are INTEGER columns: 32-bit signed on PostgreSQL.
MAX_ID = 2**31 - 1
#: Far beyond any list we page through; keeps OFFSET within 64 bits.
MAX_PAGE = 10**6


class RecordId(IntegerConverter):
    """`<int:...>` in our routes: a positive id up to MAX_ID, else the route does not match."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def page_number() -> int:
    """Return the ?page= argument: 1 when missing or not a number, at most MAX_PAGE."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)
