"""Sending: a batch of ``(request, spec)`` pairs through the engine, and each result
finished as requests finishes a response (cookies stored back, response hooks run) on the
calling thread. It knows no session: the caller resolved each request's session and built
its spec (``_prepare``)."""

import traceback
from urllib.parse import urlsplit

from . import _native, exceptions
from .models import Response


class UnsentRequest:
    """A request not sent yet: ``method``, ``url``, ``kwargs`` (requests' keyword
    arguments), ``session``; once sent, ``response`` or ``exception`` (and ``traceback``)."""

    def __init__(self, method, url, **kwargs):
        self.method = method
        self.url = url
        self.session = kwargs.pop("session", None)
        callback = kwargs.pop("callback", None)
        if callback:
            kwargs["hooks"] = {"response": callback}
        self.kwargs = kwargs
        self.response = None

    def __repr__(self):
        return f"<{type(self).__name__} [{self.method} {self.url}]>"


def completed(pairs, size, gtimeout=None, keeps_results=False):
    """Sends ``(request, spec)`` pairs, at most ``size`` at once, and yields
    ``(index, request)`` as each finishes; ``keeps_results`` for a caller that keeps
    every response."""
    batch = _native.NativeImap(pairs, size, gtimeout, keeps_results)
    try:
        for index, (request, native, error) in batch:
            finish(request, native, error)
            yield index, request
    finally:
        batch.close()


def run(pairs, size=None, gtimeout=None):
    """Sends every pair and finishes each as it completes (its hooks run then, as in
    grequests' greenlets); every response is kept, and the engine is told so."""
    for _index, _request in completed(pairs, size, gtimeout, keeps_results=True):
        pass


def send_now(request, spec):
    """Sends one request and returns its response, raising its exception: requests' way."""
    run([(request, spec)])
    if request.response is None:
        raise request.exception
    return request.response


def finish(request, native, error):
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
    """Runs the response hooks as requests does, on every response of the chain: each
    redirect's, then the final one's. What a hook returns replaces that response (an
    earlier hop's in ``history``); the redirects themselves were already followed."""
    hooks = request.kwargs.get("hooks") or {}
    session_hooks = getattr(request.session, "hooks", None) or {}
    if not hooks and not session_hooks.get("response"):
        return response  # the common case, on every finished request: nothing to run
    chains = [_chain(source) for source in (session_hooks, hooks)]
    kwargs = _hook_kwargs(request)
    history = response.history
    for index, hop in enumerate(history):
        history[index] = _run_hooks(chains, hop, kwargs)
    return _run_hooks(chains, response, kwargs)


def _chain(hooks):
    chain = hooks.get("response") if isinstance(hooks, dict) else None
    if not chain:
        return []
    return [chain] if callable(chain) else list(chain)


def _run_hooks(chains, response, kwargs):
    for chain in chains:
        for hook in chain:
            replaced = hook(response, **kwargs)
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
    if session is None or not hasattr(session, "mount"):  # ours keeps its own cookies
        return
    for hop in response.history + [response]:
        host = urlsplit(hop.url).hostname or ""
        for name, value, domain, path in hop._native.cookies():
            session.cookies.set(name, value, domain=domain or host, path=path or "/")


def result(request, exception_handler):
    """What a batch gives for a finished request: its response, else the exception
    handler's value (``map`` keeps a ``None``, ``imap`` skips it)."""
    if request.response is not None:
        return request.response
    if exception_handler is not None:
        return exception_handler(request, getattr(request, "exception", None))
    return None
