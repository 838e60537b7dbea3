"""grequests' API: unsent requests, and ``map``/``imap``/``imap_enumerated`` to send them."""

import asyncio

from . import _native
from ._prepare import spec
from .sending import UnsentRequest, completed, finish, result, run
from .sessions import Session, adopt, default_session


class AsyncRequest(UnsentRequest):
    """An unsent request, as grequests' ``AsyncRequest``: ``method``, ``url``, ``kwargs``
    (requests' keyword arguments), ``session``; after sending, ``response`` or
    ``exception`` (and ``traceback``)."""

    def send(self, **kwargs):
        """Sends the request now (``kwargs`` override the constructor's); sets ``response``
        or ``exception`` and returns the request."""
        if kwargs:
            merged = dict(self.kwargs)
            merged.update(kwargs)
            saved, self.kwargs = self.kwargs, merged
            try:
                run(_specs([self], bool(merged.get("stream"))))
            finally:
                self.kwargs = saved
        else:
            run(_specs([self], False))
        return self


def request(method, url, **kwargs):
    """An unsent request with any method: ``request('POST', url, data=...)``."""
    return AsyncRequest(method, url, **kwargs)


def get(url, **kwargs):
    """An unsent ``GET``: ``grequests.get(url, params=..., ...)``."""
    return AsyncRequest("GET", url, **kwargs)


def options(url, **kwargs):
    """An unsent ``OPTIONS``."""
    return AsyncRequest("OPTIONS", url, **kwargs)


def head(url, **kwargs):
    """An unsent ``HEAD``."""
    return AsyncRequest("HEAD", url, **kwargs)


def post(url, **kwargs):
    """An unsent ``POST``."""
    return AsyncRequest("POST", url, **kwargs)


def put(url, **kwargs):
    """An unsent ``PUT``."""
    return AsyncRequest("PUT", url, **kwargs)


def patch(url, **kwargs):
    """An unsent ``PATCH``."""
    return AsyncRequest("PATCH", url, **kwargs)


def delete(url, **kwargs):
    """An unsent ``DELETE``."""
    return AsyncRequest("DELETE", url, **kwargs)


def _specs(requests, stream):
    """Each request with its spec, built against its session (the default one, ours, or a
    requests.Session adopted): pulled by the engine as it has room."""
    for request in requests:
        session = request.session
        if session is None:
            yield request, spec(request, default_session(), None, stream)
        elif isinstance(session, Session):
            yield request, spec(request, session, None, stream)
        else:
            yield request, spec(request, *adopt(session), stream)


class _Sent:
    """What ``send`` returns: the finished job, with gevent's ``get``/``join``/``value``."""

    def __init__(self, request):
        self.value = request

    def get(self, block=True, timeout=None):
        return self.value

    def join(self, timeout=None):
        return None

    def ready(self):
        return True

    def successful(self):
        return True


def send(r, pool=None, stream=False):
    """Sends one request (``pool`` is accepted for grequests' signature and unused) and
    returns a finished job whose ``get()`` is the request."""
    r.send(stream=stream) if stream else r.send()
    return _Sent(r)


def map(requests, stream=False, size=None, exception_handler=None, gtimeout=None):
    """Sends every request, at most ``size`` at once (all when ``None``), and returns their
    responses in request order: ``None``, or the exception handler's return value, for a
    failure. ``gtimeout`` (seconds) bounds the whole batch: what is unfinished then is
    canceled and fails with ``Timeout``."""
    requests = list(requests)
    # grequests: `Pool(size) if size else None`, so a size of 0 sends everything at once.
    run(_specs(requests, stream), size=size or None, gtimeout=gtimeout)
    return [result(request, exception_handler) for request in requests]


def imap(requests, stream=False, size=2, exception_handler=None):
    """Yields responses as they finish, at most ``size`` in flight. A failure is skipped,
    unless the exception handler returns something other than ``None``."""
    for _index, request in completed(_specs(requests, stream), size):
        value = result(request, exception_handler)
        if value is not None:
            yield value


def imap_enumerated(requests, stream=False, size=2, exception_handler=None):
    """Yields ``(index, response)`` as requests finish: every index exactly once, with
    ``None`` (or the exception handler's value) for a failure."""
    for index, request in completed(_specs(list(requests), stream), size):
        yield index, result(request, exception_handler)


async def amap(requests, stream=False, size=None, exception_handler=None, gtimeout=None):
    """``map`` for code in an asyncio event loop: the batch runs on a worker thread, and
    hooks and the exception handler run on the loop's thread."""
    requests = list(requests)
    loop = asyncio.get_running_loop()
    batch = _native.NativeImap(_specs(requests, stream), size or None, gtimeout, True)
    try:
        results = await loop.run_in_executor(None, list, batch)
    finally:
        batch.close()
    for _index, (request, native, error) in results:
        finish(request, native, error)
    return [result(request, exception_handler) for request in requests]


async def aimap(requests, stream=False, size=2, exception_handler=None):
    """``imap`` as an async iterator: ``async for response in aimap(requests): ...``."""
    loop = asyncio.get_running_loop()
    batch = _native.NativeImap(_specs(requests, stream), size, None)
    try:
        while True:
            item = await loop.run_in_executor(None, next, batch, None)
            if item is None:
                return
            _index, (request, native, error) = item
            finish(request, native, error)
            value = result(request, exception_handler)
            if value is not None:
                yield value
    finally:
        batch.close()
