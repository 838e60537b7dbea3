"""``Session``: requests' ``Session`` on the engine (one connection pool, a cookie jar)."""

import os
from collections.abc import MutableMapping
from typing import Any
from weakref import WeakKeyDictionary

from ._native import (
    DEFAULT_LOW_SPEED_LIMIT, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_DECODED_BODY_SIZE,
    DEFAULT_MAX_DECOMPRESSION_RATIO, DEFAULT_POOL_MAX_IDLE, DEFAULT_POOL_MAXSIZE, NativeBudget,
    NativeClient, NativeError,
)
from . import exceptions
from ._prepare import spec
from .sending import UnsentRequest, send_now
from .structures import CaseInsensitiveDict, PoolStatus

_NO_PROXIES = ()


class SessionCookies(MutableMapping):
    """A session's cookie jar: the engine's, which scopes each cookie to its domain and
    path. Mapping access goes by name; ``set`` takes a domain and path."""

    def __init__(self, client):
        self._client = client
        # Set without a domain: sent with every request of the session, as requests does.
        self.unscoped = {}

    def _all(self):
        unscoped = [(n, v, "", "/", False) for n, v in self.unscoped.items()]
        return unscoped + self._client.cookies()

    def __getitem__(self, name):
        for cookie_name, value, *_ in self._all():
            if cookie_name == name:
                return value
        raise KeyError(name)

    def __setitem__(self, name, value):
        self.set(name, value)

    def set(self, name, value, domain="", path="/", secure=False):
        """Adds a cookie for ``domain`` and its subdomains; without a domain, it is sent with
        every request of the session (as requests does)."""
        if value is None:
            self.pop(name, None)
            return
        if not domain:
            self.unscoped[name] = value
            return
        host = domain.lstrip(".")
        attributes = f"{name}={value}; Path={path}; Domain={host}"
        if secure:
            attributes += "; Secure"
        scheme = "https" if secure else "http"
        self._client.set_cookie(attributes, f"{scheme}://{host}{path}")

    def __delitem__(self, name):
        found = self.unscoped.pop(name, None) is not None
        for cookie_name, _, domain, path, secure in self._client.cookies():
            if cookie_name == name:
                found = True
                scheme = "https" if secure else "http"
                self._client.set_cookie(
                    f"{name}=; Path={path}; Max-Age=0", f"{scheme}://{domain}{path}"
                )
        if not found:
            raise KeyError(name)

    def __iter__(self):
        return iter([cookie[0] for cookie in self._all()])

    def __len__(self):
        return len(self._all())

    def get_dict(self):
        return {name: value for name, value, *_ in self._all()}

    def __repr__(self):
        return f"<SessionCookies {self.get_dict()!r}>"


class Session:
    """Settings shared by every request sent with ``session=``: ``headers``, ``cookies``,
    ``auth``, ``params``, ``verify``, ``cert``, ``proxies``, ``hooks``, ``max_redirects``.
    One connection pool per session, reused by every request and every thread.

    ``max_body_size`` bounds a body read into memory (64 MiB unless set; ``None`` removes the
    bound): a larger one fails with ``ChunkedEncodingError`` naming the limit. Stream large
    downloads (``stream=True``). The engine's other defaults against hostile servers are
    settable too: ``low_speed_limit`` (``(bytes, seconds)``: fewer than 1 KiB in 60 s fails
    with ``Timeout``; ``None`` turns the guard off), ``max_decompression_ratio`` (100 decoded
    bytes per received byte past 8 MiB; ``None`` turns it off) and ``max_decoded_body_size``
    (none unless set), both failing with ``ContentDecodingError``.

    Connections, as requests' ``HTTPAdapter`` keeps them: ``pool_maxsize`` idle ones per
    host (32 unless set), ``pool_max_idle`` idle ones in all (256), the least recently used
    closed first. ``max_connections`` bounds how many are open at once; unset, every session
    shares the process's budget, derived from the soft ``RLIMIT_NOFILE`` (``ulimit -n``),
    so that a batch waits for a connection rather than failing with "Too many open files".
    ``max_connections_per_host`` (aiohttp's ``limit_per_host``; unset, no cap) bounds the
    connections open to one ``scheme://host:port``, and so, over HTTP/1.1, the requests in
    flight to it: requests past it wait. ``pool_status()`` tells what the pools hold now.

    ``resolve`` maps host names to ``"ip:port"`` (or ``None``: never resolves), without
    DNS; an addition of this package, for tests.
    """

    def __init__(self, resolve=None, _cookies=True):
        self.headers = CaseInsensitiveDict()
        self.auth = None
        self.params = {}
        self.proxies = {}
        self.hooks = {"response": []}
        self.verify = True
        self.cert = None
        self.stream = False
        self.trust_env = True
        self.max_redirects = 30
        self.max_body_size = DEFAULT_MAX_BODY_SIZE
        self.pool_maxsize = DEFAULT_POOL_MAXSIZE
        self.pool_max_idle = DEFAULT_POOL_MAX_IDLE
        self.max_connections = None
        self.max_connections_per_host = None
        self.low_speed_limit = DEFAULT_LOW_SPEED_LIMIT
        self.max_decompression_ratio = DEFAULT_MAX_DECOMPRESSION_RATIO
        self.max_decoded_body_size = DEFAULT_MAX_DECODED_BODY_SIZE
        self._budgets = {}
        self._resolve = dict(resolve or {})
        self._keeps_cookies = _cookies
        self._clients = {}
        self.cookies = SessionCookies(self._plain())

    def _adds_nothing(self):
        """Whether a request with no keywords of its own (but a timeout) is its URL and the
        session's client alone: the session adds no headers, parameters, credentials,
        proxies, TLS settings or cookies to it."""
        return not (
            self.headers or self.params or self.auth is not None or self.proxies
            or self.verify is not True or self.cert is not None or self.stream
            or self.cookies.unscoped or self.trust_env is not True
        )

    def _plain(self):
        """The client for requests with default TLS and no proxy, as the session's
        connection settings (limits, redirects, guards) are now."""
        return self._client(True, None, _NO_PROXIES)

    def _guards(self):
        """The engine's limits against hostile servers, as this session sets them."""
        low_speed = None if self.low_speed_limit is None else tuple(self.low_speed_limit)
        return (low_speed, self.max_decompression_ratio, self.max_decoded_body_size)

    def _client(self, verify, cert, proxies):
        """The engine client for these connection settings (one pool each)."""
        guards = self._guards()
        key = (
            verify, cert, proxies, self.trust_env, self.max_redirects, self.max_body_size,
            self.pool_maxsize, self.pool_max_idle, self.max_connections,
            self.max_connections_per_host, guards,
        )
        client = self._clients.get(key)
        if client is None:
            client = _native_client(
                cookies=self._keeps_cookies,
                verify=verify,
                cert=cert,
                proxies=proxies,
                trust_env=self.trust_env,
                max_redirects=self.max_redirects,
                max_body_size=self.max_body_size,
                pool_maxsize=self.pool_maxsize,
                pool_max_idle=self.pool_max_idle,
                budget=self._budget(),
                max_connections_per_host=self.max_connections_per_host,
                low_speed_limit=guards[0],
                max_decompression_ratio=guards[1],
                max_decoded_body_size=guards[2],
                resolve=self._resolve,
            )
            # Requests with other TLS or proxy settings share the session's cookies only
            # through its first client; see the package's notes.
            self._clients[key] = client
        return client

    def _budget(self):
        """The budget the session's pools share: its own when ``max_connections`` is set."""
        if self.max_connections is None:
            return None
        budget = self._budgets.get(self.max_connections)
        if budget is None:
            budget = self._budgets[self.max_connections] = NativeBudget(self.max_connections)
        return budget

    def pool_status(self):
        """What the session's pools hold now, added up: a ``PoolStatus`` of ``open``,
        ``idle``, ``in_use``, ``waiting`` (for the budget), ``budget`` and ``budget_open``."""
        # The plain client is made with the session, so there is always one.
        statuses = [client.pool_status() for client in self._clients.values()]
        return PoolStatus(
            open=sum(s.open for s in statuses),
            idle=sum(s.idle for s in statuses),
            in_use=sum(s.in_use for s in statuses),
            waiting=sum(s.waiting for s in statuses),
            budget=statuses[-1].budget,
            budget_open=statuses[-1].budget_open,
        )

    def request(self, method, url, **kwargs):
        """Sends one request now and returns its ``Response`` (raises on failure), as
        requests' ``Session.request``."""
        unsent = UnsentRequest(method, url, session=self, **kwargs)
        return send_now(unsent, spec(unsent, self, None, False))

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def options(self, url, **kwargs):
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def post(self, url, data=None, json=None, **kwargs):
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url, data=None, **kwargs):
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url, data=None, **kwargs):
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)

    def close(self):
        """Drops the session's pools (connections close once their requests finish)."""
        self._clients.clear()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


def _native_client(verify, cert, proxies, **settings):
    ca_file = None
    if isinstance(verify, str):
        ca_file, verify = verify, True
    cert_file = key_file = None
    if isinstance(cert, (tuple, list)):
        cert_file, key_file = cert
    elif cert:
        cert_file = cert
    try:
        return NativeClient(
            verify=bool(verify),
            ca_file=ca_file,
            cert=cert_file,
            key=key_file,
            proxies=dict(proxies),
            **settings,
        )
    except NativeError as err:
        kind, message = err.args
        raise exceptions.from_engine(kind, message) from None


# A requests.Session given as ``session=``: its pool, made once per session object.
_adopted: "WeakKeyDictionary[Any, Session]" = WeakKeyDictionary()


def adopt(theirs):
    """The session of ours that sends for a requests.Session, and that session: its
    settings are read per request, its cookies sent per request (scoped as requests scopes
    them), and what responses set is stored back in it."""
    ours = _adopted.get(theirs)
    if ours is None:
        ours = Session(_cookies=False)
        _adopted[theirs] = ours
    ours.verify, ours.cert, ours.trust_env = theirs.verify, theirs.cert, theirs.trust_env
    ours.max_redirects = theirs.max_redirects
    return ours, theirs


_default = None


def default_session():
    """The session behind requests sent without ``session=``: one pool for the process, no
    cookies kept between requests (a redirect chain still carries its own), as grequests'
    session per request."""
    global _default, _fork_hook
    if _default is None:
        if not _fork_hook and hasattr(os, "register_at_fork"):  # POSIX; once, and not on import
            os.register_at_fork(after_in_child=_forget_default_session)
            _fork_hook = True
        _default = Session(_cookies=False)
    return _default


_fork_hook = False


def _forget_default_session():
    """A child made by ``os.fork()`` makes its own default session: the parent's pool lives
    on a runtime whose threads the child does not have."""
    global _default
    _default = None
