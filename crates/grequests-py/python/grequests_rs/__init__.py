"""grequests' API on a Rust engine: ``import grequests_rs as grequests``.

Build unsent requests with ``get``/``post``/… (requests' keyword arguments), then send them
all with ``map`` (responses in order), ``imap`` (as they finish) or ``imap_enumerated``
(every index once), at most ``size`` at a time. No gevent and no monkey-patching: the
engine (tokio, hyper, rustls) sends them, with the GIL released while they are in flight.
"""

from . import exceptions
from ._native import ENGINE_VERSION as __version__
from .api import (
    AsyncRequest,
    aimap,
    amap,
    delete,
    get,
    head,
    imap,
    imap_enumerated,
    map,
    options,
    patch,
    post,
    put,
    request,
    send,
)
from .models import PreparedRequest, Response
from .sessions import Session
from .structures import CaseInsensitiveDict, PoolStatus

__all__ = (
    "map", "imap", "imap_enumerated", "amap", "aimap", "send",
    "get", "options", "head", "post", "put", "patch", "delete", "request",
    "AsyncRequest", "Session", "Response", "PreparedRequest", "CaseInsensitiveDict", "PoolStatus",
    "exceptions",
)
