"""grequests' API: unsent requests, and ``map``/``imap``/``imap_enumerated`` to send them."""

import asyncio
import traceback
from urllib.parse import urlsplit

from . import _native, exceptions
from ._prepare import spec
from .models import Response
from .sessions import Session


class AsyncRequest:
    """An unsent request, as grequests' ``AsyncRequest``: ``method``, ``url``, ``kwargs``
    (requests' keyword arguments), ``session``; after sending, ``response`` or
    ``exception`` (and ``traceback``)."""

    def __init__(self, method, url, **kwargs):
        self.method = method
        self.url = url
        self.session = kwargs.pop("session", None)
        callback = kwargs.pop("callback", None)
        if callback:
            kwargs["hooks"] = {"response": callback}
        self.kwargs = kwargs
        self.response = None

    def send(self, **kwargs):
        """Sends the request now (``kwargs`` override the constructor's); sets ``response``
        or ``exception`` and returns the request."""
        if kwargs:
            merged = dict(self.kwargs)
            merged.update(kwargs)
            saved, self.kwargs = self.kwargs, merged
            try:
                _run([self], stream=bool(merged.get("stream")))
            finally:
                self.kwargs = saved
        else:
            _run([self], stream=False)
        return self

    def __repr__(self):
        return f"<AsyncRequest [{self.method} {self.url}]>"


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
    for request in requests:
        yield request, spec(request, stream)


def _finish(request, native, error):
    """Sets ``request.response`` or ``request.exception`` for one result, running the
    response hooks (here, on the calling thread)."""
    if request is None:
        # The caller's iterator raised instead of giving a request: that ends the batch.
        raise error
    if error is not None:
        if not isinstance(error, BaseException):
            error = exceptions.from_engine(error[0], error[1], request=request)
        _fail(request, error)
        return
    try:
        response = Response(native)
        _store_cookies(request, response)
        response = _dispatch_hooks(request, response)
    except Exception as err:  # a hook's exception is the request's, as in grequests
        _fail(request, err)
        return
    request.response = response


def _fail(request, error):
    request.response = None
    request.exception = error
    request.traceback = "".join(traceback.format_exception(type(error), error, error.__traceback__))


def _dispatch_hooks(request, response):
    hooks = request.kwargs.get("hooks") or {}
    session_hooks = getattr(request.session, "hooks", None) or {}
    if not hooks and not session_hooks.get("response"):
        return response
    for source in (session_hooks, hooks):
        chain = source.get("response") if isinstance(source, dict) else None
        if not chain:
            continue
        if callable(chain):
            chain = [chain]
        for hook in chain:
            replaced = hook(response, **_hook_kwargs(request))
            if replaced is not None:
                response = replaced
    return response


def _hook_kwargs(request):
    kwargs = request.kwargs
    return {
        "timeout": kwargs.get("timeout"),
        "verify": kwargs.get("verify", True),
        "proxies": kwargs.get("proxies"),
        "stream": kwargs.get("stream", False),
        "cert": kwargs.get("cert"),
    }


def _store_cookies(request, response):
    """Cookies set along the way go into a requests.Session given as ``session=``."""
    session = request.session
    if session is None or type(session) is Session or not hasattr(session, "mount"):
        return
    for hop in response.history + [response]:
        host = urlsplit(hop.url).hostname or ""
        for name, value, domain, path in hop._native.cookies():
            session.cookies.set(name, value, domain=domain or host, path=path or "/")


def _run(requests, stream=False, size=None, gtimeout=None):
    """Sends ``requests`` and finishes each as it completes (its hooks run then, as in
    grequests' greenlets); every response is kept, so the engine compacts them."""
    for _index, _request in _completed(requests, stream, size, gtimeout, compact=True):
        pass


def _send_now(request):
    """Sends one request and returns its response, raising its exception: requests' way."""
    _run([request])
    if request.response is None:
        raise request.exception
    return request.response


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


def _result(request, exception_handler):
    """What a batch gives for a finished request: its response, else the exception
    handler's value (``map`` keeps a ``None``, ``imap`` skips it)."""
    if request.response is not None:
        return request.response
    if exception_handler is not None:
        return exception_handler(request, getattr(request, "exception", None))
    return None


def map(requests, stream=False, size=None, exception_handler=None, gtimeout=None):
    """Sends every request, at most ``size`` at once (all when ``None``), and returns their
    responses in request order: ``None``, or the exception handler's return value, for a
    failure. ``gtimeout`` (seconds) bounds the whole batch: what is unfinished then is
    canceled and fails with ``Timeout``."""
    requests = list(requests)
    # grequests: `Pool(size) if size else None`, so a size of 0 sends everything at once.
    _run(requests, stream=stream, size=size or None, gtimeout=gtimeout)
    return [_result(request, exception_handler) for request in requests]


def imap(requests, stream=False, size=2, exception_handler=None):
    """Yields responses as they finish, at most ``size`` in flight. A failure is skipped,
    unless the exception handler returns something other than ``None``."""
    for _index, request in _completed(requests, stream, size):
        value = _result(request, exception_handler)
        if value is not None:
            yield value


def imap_enumerated(requests, stream=False, size=2, exception_handler=None):
    """Yields ``(index, response)`` as requests finish: every index exactly once, with
    ``None`` (or the exception handler's value) for a failure."""
    for index, request in _completed(list(requests), stream, size):
        yield index, _result(request, exception_handler)


def _completed(requests, stream, size, gtimeout=None, compact=False):
    batch = _native.NativeImap(_specs(requests, stream), size, gtimeout, compact)
    try:
        for index, (request, native, error) in batch:
            _finish(request, native, error)
            yield index, request
    finally:
        batch.close()


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
        _finish(request, native, error)
    return [_result(request, exception_handler) for request in requests]


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
            _finish(request, native, error)
            value = _result(request, exception_handler)
            if value is not None:
                yield value
    finally:
        batch.close()
