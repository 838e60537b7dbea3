"""requests' keyword arguments turned into the engine's request spec.

The engine checks what the values hold (the URL, header values, timeouts, TLS files,
proxies) and says which input was bad, which ``exceptions.from_engine`` turns into requests'
class; this module checks only what is Python's: the types and shapes of the arguments."""

import io
import json as _json
import os
from functools import partial
from collections.abc import Mapping
from typing import Any, NamedTuple, Optional

from . import exceptions
from .models import PreparedRequest
from .structures import CaseInsensitiveDict

try:
    import requests as _requests
except ImportError:  # pragma: no cover
    _requests = None  # type: ignore[assignment]

KEYWORDS = frozenset(
    ("params", "data", "headers", "cookies", "files", "auth", "timeout", "allow_redirects",
     "proxies", "hooks", "stream", "verify", "cert", "json")
)


class RequestSpec(NamedTuple):
    """One request as the engine takes it, in requests' terms already: what ``_native``
    reads, field by field and by name (``src/spec.rs``)."""

    client: Any
    method: str
    url: str
    params: Optional[list] = None
    headers: Optional[list] = None
    cookies: Optional[list] = None
    #: bytes, or ``(iterator of bytes, length or None)`` to stream.
    body: Any = None
    form: Optional[list] = None
    #: ``(field, file name, content, content type)`` each.
    files: Optional[list] = None
    auth: Optional[tuple] = None
    connect_timeout: Optional[float] = None
    read_timeout: Optional[float] = None
    allow_redirects: bool = True
    stream: bool = False


# The fast path's spec: a plain GET has no options, so it is built as a tuple (no keyword
# handling in NamedTuple's Python-level constructor: a microsecond per request).
_new_spec = partial(tuple.__new__, RequestSpec)
#: ``params`` to ``auth``, unset.
_NO_OPTIONS = (None,) * (RequestSpec._fields.index("connect_timeout") - RequestSpec._fields.index("params"))
_NO_TIMEOUTS = (None, None)
_TIMEOUT_ONLY = {"timeout"}

_HTTP = ("http://", "https://")


def _pairs(value, what):
    """``(str, str)`` pairs of a dict or list of pairs; lists repeat a key, ``None`` drops it."""
    if value is None:
        return []
    items = value.items() if isinstance(value, Mapping) else value
    pairs = []
    try:
        for key, val in items:
            if val is None:
                continue
            key = key.decode("utf-8") if isinstance(key, bytes) else str(key)
            values = val if isinstance(val, (list, tuple)) else (val,)
            for one in values:
                one = one.decode("utf-8") if isinstance(one, bytes) else str(one)
                pairs.append((key, one))
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a dict or a list of (key, value) pairs") from None
    return pairs


def _header_pairs(headers):
    """``(name, value)`` strings of a header dict; the engine checks what they hold."""
    pairs = []
    for name, value in headers.items():
        if value is None:
            continue
        for part in (name, value):
            if not isinstance(part, (str, bytes)):
                raise exceptions.InvalidHeader(
                    f"Header part ({part!r}) from {(name, value)} must be of type str or "
                    f"bytes, not {type(part)}"
                )
        pairs.append((_text(name), _text(value)))
    return pairs


def _timeouts(timeout):
    if timeout is None:
        return None, None
    if isinstance(timeout, (tuple, list)):
        try:
            connect, read = timeout
        except ValueError:
            raise ValueError(
                f"Invalid timeout {timeout}. Pass a (connect, read) timeout tuple, or a single "
                "float to set both timeouts to the same value."
            ) from None
    else:
        connect = read = timeout
    # The engine checks the values are durations; the types are Python's to check.
    for value, which in ((connect, "connect"), (read, "read")):
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            raise ValueError(
                f"Timeout value {which} was {value}, but it must be an int, float or None."
            )
    return (None if connect is None else float(connect)), (None if read is None else float(read))


def _as_bytes(value):
    """The bytes of a bytes-like value, or of a str in UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


_CHUNK = 64 * 1024


def _is_form(data):
    return isinstance(data, Mapping) or (
        isinstance(data, list) and bool(data) and isinstance(data[0], tuple)
    )


def _has_body(data):
    """Whether ``data`` is a body to send (a file or a generator is, however it tests)."""
    if data is None:
        return False
    if isinstance(data, (bytes, str, bytearray, memoryview, list, tuple)):
        return len(data) > 0
    return True


def _body(value):
    """A request body: bytes, or ``(iterator of bytes, length or None)`` for the engine to
    stream, pulling a chunk at a time, so that a large file or a generator is never read
    into memory whole (a known length is sent as Content-Length, else the body is chunked)."""
    if isinstance(value, (bytes, str, bytearray, memoryview)):
        return _as_bytes(value)
    if hasattr(value, "read"):
        return _chunks(iter(partial(value.read, _CHUNK), _empty(value))), _remaining(value)
    if hasattr(value, "__iter__"):
        return _chunks(iter(value)), None
    raise TypeError(f"a body must be bytes, str, a file or an iterable, not {type(value)}")


def _empty(file):
    """What ``file.read`` returns at its end: ``''`` in text mode, ``b''`` in binary."""
    return "" if isinstance(file, io.TextIOBase) else b""


def _chunks(iterator):
    for chunk in iterator:
        chunk = _as_bytes(chunk)
        if chunk:
            yield chunk


def _remaining(file):
    """The bytes left in ``file``, when it can say (requests' ``super_len``), else None."""
    try:
        if isinstance(file, io.TextIOBase):
            return None
        try:
            size = os.fstat(file.fileno()).st_size
        except (AttributeError, OSError, io.UnsupportedOperation):
            position = file.tell()
            size = file.seek(0, os.SEEK_END)
            file.seek(position)
        return max(size - file.tell(), 0)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _files(files):
    """``(field, file name, content, content type)`` per file, in requests' tuple forms."""
    items = files.items() if isinstance(files, Mapping) else files
    out = []
    for field, value in items:
        file_name = content_type = None
        if isinstance(value, (tuple, list)):
            if len(value) == 2:
                file_name, content = value
            elif len(value) >= 3:
                file_name, content, content_type = value[:3]
            else:
                raise ValueError(f"files[{field!r}] must be a (name, file[, type[, headers]]) tuple")
        else:
            content = value
            name = getattr(value, "name", None)
            if isinstance(name, str) and name[:1] != "<" and name[-1:] != ">":
                file_name = os.path.basename(name)
            else:
                file_name = field
        out.append((str(field), file_name, b"" if content is None else _body(content), content_type))
    return out


def _auth(auth, method, url, headers):
    """Basic credentials, or the headers a requests ``AuthBase`` sets."""
    if auth is None:
        return None
    if isinstance(auth, (tuple, list)) and len(auth) == 2:
        user, password = auth
        return (_text(user), _text(password))
    username = getattr(auth, "username", None)
    password = getattr(auth, "password", None)
    if username is not None and password is not None and type(auth).__name__ == "HTTPBasicAuth":
        return (_text(username), _text(password))
    if callable(auth):
        # requests' AuthBase: called with a prepared request whose headers it may change.
        prepared = PreparedRequest(method, url, headers)
        auth(prepared)
        return None
    raise TypeError(f"auth must be a (user, password) tuple or a requests AuthBase, not {auth!r}")


def _text(value):
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def spec(request, session, theirs, stream):
    """The engine spec of an unsent request sent on ``session`` (ours; ``theirs`` is the
    requests.Session it adopted, if any), or the exception that says why there is none."""
    try:
        return _spec(request, session, theirs, stream)
    except Exception as err:  # bad input fails its own request, never the batch
        return err


def _spec(request, session, theirs, stream):
    kwargs = request.kwargs
    url = request.url
    # The common case, kept short: no keywords but a timeout, a session that adds nothing,
    # an http(s) URL. The engine checks every URL; a bad one fails with requests' class for
    # what is wrong with it.
    if (not kwargs or kwargs.keys() == _TIMEOUT_ONLY) and type(url) is str \
            and url.startswith(_HTTP) and len(url) > 8 and theirs is None \
            and session._adds_nothing():
        method = request.method
        method = method.upper() if type(method) is str else _text(method).upper()
        timeouts = _timeouts(kwargs["timeout"]) if kwargs else _NO_TIMEOUTS
        return _new_spec((session._plain(), method, url, *_NO_OPTIONS, *timeouts, True, bool(stream)))
    unknown = kwargs.keys() - KEYWORDS
    if unknown:
        raise TypeError(f"request() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    settings = theirs if theirs is not None else session
    url = request.url.decode("utf-8") if isinstance(request.url, bytes) else str(request.url)
    method = request.method.upper() if isinstance(request.method, str) else _text(request.method).upper()

    headers = CaseInsensitiveDict()
    if settings.headers:
        defaults = _requests_defaults() if theirs is not None else {}
        for name, value in settings.headers.items():
            # requests' own defaults are the engine's to choose (its user agent, the codecs
            # it decodes, no `Connection`, which HTTP/2 forbids).
            if defaults.get(name.lower()) != value:
                headers[name] = value
    if kwargs.get("headers"):
        headers.update(kwargs["headers"])

    params = _pairs(settings.params, "params") if settings.params else []
    own_params = kwargs.get("params")
    if isinstance(own_params, (str, bytes)):
        query = _text(own_params)
        if query:
            url += ("&" if "?" in url else "?") + query
    elif own_params:
        params += _pairs(own_params, "params")

    body = form = files = None
    data, json_value = kwargs.get("data"), kwargs.get("json")
    # requests' prepare_body: files make a multipart form (data its fields); otherwise JSON
    # when there is no data, else a form for a mapping or a list of pairs, else a raw body.
    if kwargs.get("files"):
        files = _files(kwargs["files"])
        form = _pairs(data, "data") if data else None
    elif not data and json_value is not None:
        try:
            body = _json.dumps(json_value, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as err:
            raise exceptions.InvalidJSONError(err) from None
        if "content-type" not in headers:
            headers["Content-Type"] = "application/json"
    elif _is_form(data):
        form = _pairs(data, "data")
    elif _has_body(data):
        body = _body(data)

    auth = kwargs.get("auth") or settings.auth
    basic = _auth(auth, method, url, headers)

    cookies = []
    if theirs is not None and len(theirs.cookies):
        cookie_header = _requests.cookies.get_cookie_header(theirs.cookies, _CookieProbe(url))
        if cookie_header:
            cookies += [tuple(c.strip().split("=", 1)) for c in cookie_header.split(";") if "=" in c]
    elif session.cookies.unscoped:
        cookies += list(session.cookies.unscoped.items())
    own_cookies = kwargs.get("cookies")
    if own_cookies:
        cookies += _pairs(own_cookies if isinstance(own_cookies, Mapping) else
                          {c.name: c.value for c in own_cookies}
                          if hasattr(own_cookies, "__iter__") and not isinstance(own_cookies, list)
                          else own_cookies, "cookies")

    connect, read = _timeouts(kwargs.get("timeout"))
    verify = kwargs.get("verify", settings.verify)
    cert = kwargs.get("cert", settings.cert)
    proxies = dict(settings.proxies or {})
    proxies.update(kwargs.get("proxies") or {})
    proxies = tuple(sorted((k, v) for k, v in proxies.items() if k in ("http", "https", "all") and v))
    client = session._client(verify if isinstance(verify, str) else bool(verify), 
                             tuple(cert) if isinstance(cert, list) else cert, proxies)
    return RequestSpec(
        client,
        method,
        url,
        params=params or None,
        headers=_header_pairs(headers) or None,
        cookies=cookies or None,
        body=body,
        form=form,
        files=files,
        auth=basic,
        connect_timeout=connect,
        read_timeout=read,
        allow_redirects=bool(kwargs.get("allow_redirects", True)),
        stream=bool(kwargs.get("stream", stream) or stream or settings.stream),
    )


_REQUESTS_DEFAULTS = None


def _requests_defaults():
    global _REQUESTS_DEFAULTS
    if _REQUESTS_DEFAULTS is None:
        _REQUESTS_DEFAULTS = {k.lower(): v for k, v in _requests.utils.default_headers().items()}
    return _REQUESTS_DEFAULTS


class _CookieProbe:
    """What requests' ``get_cookie_header`` needs of a request: its URL and headers."""

    def __init__(self, url):
        self.url = url
        self.headers = {}
