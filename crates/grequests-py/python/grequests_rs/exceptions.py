"""requests' exceptions, by name and hierarchy.

When ``requests`` is importable, each class also subclasses requests' class of the same name,
so ``except requests.exceptions.Timeout:`` keeps catching what this package raises.
"""

import json as _json

try:  # requests is optional: used only to make existing ``except`` clauses work.
    import requests.exceptions as _theirs
except ImportError:  # pragma: no cover - exercised by the suite without requests
    _theirs = None  # type: ignore[assignment]

__all__ = [
    "RequestException", "HTTPError", "ConnectionError", "ProxyError", "SSLError", "Timeout",
    "ConnectTimeout", "ReadTimeout", "URLRequired", "TooManyRedirects", "MissingSchema",
    "InvalidSchema", "InvalidURL", "InvalidHeader", "InvalidProxyURL", "InvalidJSONError", "JSONDecodeError",
    "ChunkedEncodingError", "ContentDecodingError", "StreamConsumedError",
]


def _define(name, bases, doc):
    """The class ``name`` on ``bases``, plus requests' class of that name when there is one."""
    namespace = {"__doc__": doc, "__module__": __name__}
    theirs = getattr(_theirs, name, None) if _theirs is not None else None
    if theirs is not None and not any(issubclass(base, theirs) for base in bases):
        # Theirs goes right after our first base, ahead of builtins such as ValueError,
        # which requests' class lists after its own RequestException.
        for at in range(1, len(bases) + 1):
            try:
                return type(name, bases[:at] + (theirs,) + bases[at:], namespace)
            except TypeError:  # no consistent MRO with theirs there
                continue
    return type(name, bases, namespace)


class _Base(IOError):
    def __init__(self, *args, **kwargs):
        response = kwargs.pop("response", None)
        request = kwargs.pop("request", None)
        if response is not None and request is None:
            request = getattr(response, "request", None)
        super().__init__(*args, **kwargs)
        # Set after: requests' own __init__, when it is a base, resets them.
        self.response = response
        self.request = request


RequestException = _define("RequestException", (_Base,), "A request could not be completed.")
HTTPError = _define("HTTPError", (RequestException,), "An HTTP error status (raise_for_status).")
ConnectionError = _define("ConnectionError", (RequestException,), "A connection error occurred.")
ProxyError = _define("ProxyError", (ConnectionError,), "A proxy error occurred.")
SSLError = _define("SSLError", (ConnectionError,), "A TLS error occurred.")
Timeout = _define("Timeout", (RequestException,), "The request timed out.")
ConnectTimeout = _define(
    "ConnectTimeout", (ConnectionError, Timeout), "Connecting timed out; safe to retry."
)
ReadTimeout = _define("ReadTimeout", (Timeout,), "The server sent no data in the allotted time.")
URLRequired = _define("URLRequired", (RequestException,), "A valid URL is required.")
TooManyRedirects = _define("TooManyRedirects", (RequestException,), "Too many redirects.")
MissingSchema = _define("MissingSchema", (RequestException, ValueError), "The URL has no scheme.")
InvalidSchema = _define(
    "InvalidSchema", (RequestException, ValueError), "The URL's scheme is not http or https."
)
InvalidURL = _define("InvalidURL", (RequestException, ValueError), "The URL is not valid.")
InvalidProxyURL = _define("InvalidProxyURL", (InvalidURL,), "A proxy's URL is not valid.")
InvalidHeader = _define(
    "InvalidHeader", (RequestException, ValueError), "A header name or value is not valid."
)
InvalidJSONError = _define("InvalidJSONError", (RequestException,), "A JSON error occurred.")
JSONDecodeError = _define(
    "JSONDecodeError", (InvalidJSONError, _json.JSONDecodeError), "The body is not valid JSON."
)
ChunkedEncodingError = _define(
    "ChunkedEncodingError", (RequestException,), "The body ended early or could not be read."
)
ContentDecodingError = _define(
    "ContentDecodingError", (RequestException,), "The body could not be decompressed."
)
StreamConsumedError = _define(
    "StreamConsumedError", (RequestException, TypeError), "The body was already consumed."
)

_BY_KIND = {
    "connect_timeout": ConnectTimeout,
    "read_timeout": ReadTimeout,
    "proxy": ProxyError,
    "ssl": SSLError,
    "connection": ConnectionError,
    "too_many_redirects": TooManyRedirects,
    "invalid_header": InvalidHeader,
    "invalid_url": InvalidURL,
    "invalid_schema": InvalidSchema,
    "missing_schema": MissingSchema,
    "invalid_proxy_url": InvalidProxyURL,
    # A method or a body: requests has no closer class.
    "invalid": InvalidURL,
    "content_decoding": ContentDecodingError,
    "chunked_encoding": ChunkedEncodingError,
    "request": RequestException,
}

#: Kinds requests reports with a builtin class, which takes no ``request=``.
_BUILTIN_BY_KIND = {
    # A TLS file that is not there.
    "missing_file": OSError,
    "invalid_timeout": ValueError,
}


def from_engine(kind, message, request=None):
    """The exception for an engine error of ``kind``."""
    builtin = _BUILTIN_BY_KIND.get(kind)
    if builtin is not None:
        return builtin(message)
    return _BY_KIND.get(kind, RequestException)(message, request=request)
