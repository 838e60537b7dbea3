"""``Response``: requests' ``Response`` over an engine response."""

import codecs
import datetime
import io
import json as _json
from urllib.parse import urlsplit

from . import exceptions
from ._native import NativeError
from .structures import CaseInsensitiveDict

try:  # a real RequestsCookieJar when requests is there, so code that expects one works
    from requests.cookies import RequestsCookieJar as _CookieJar
except ImportError:  # pragma: no cover
    _CookieJar = None  # type: ignore[assignment,misc]

_ITER_CHUNK_SIZE = 512


class PreparedRequest:
    """The request a response answers (after redirects): ``method``, ``url``, ``headers``."""

    __slots__ = ("method", "url", "headers", "body")

    def __init__(self, method, url, headers, body=None):
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body

    def __repr__(self):
        return f"<PreparedRequest [{self.method}]>"


def _encoding_from_headers(headers):
    """requests' ``get_encoding_from_headers``."""
    content_type = headers.get("content-type")
    if not content_type:
        return None
    mime, _, params = content_type.partition(";")
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("'\"")
    mime = mime.strip().lower()
    if "text" in mime:
        return "ISO-8859-1"
    if "application/json" in mime:
        return "utf-8"
    return None


def _raise_native(err):
    kind, message = err.args[0] if len(err.args) == 1 else err.args
    raise exceptions.from_engine(kind, message) from None


class Response:
    """The answer to a request, as requests' ``Response``."""

    __attrs__ = ["status_code", "url", "headers", "history", "encoding", "reason", "elapsed"]

    def __init__(self, native):
        self._native = native
        self.status_code = native.status
        # The engine decided (the request's, or its session's, ``stream``): a streamed body
        # has no content yet, and is read on first access.
        self._content = native.content()
        self._content_consumed = self._content is not None
        self._headers = None
        self._url = None
        self._encoding = None
        self._encoding_set = False
        self._request = None
        self._history = None
        self._cookies = None
        self._closed_head = None
        self._raw = None
        self.connection = None

    # -- the head -------------------------------------------------------------------------

    @property
    def url(self):
        if self._url is None:
            self._url = self._native.url
        return self._url

    @url.setter
    def url(self, value):
        self._url = value

    @property
    def headers(self):
        if self._headers is None:
            self._headers = CaseInsensitiveDict.over(self._native.headers())
        return self._headers

    @headers.setter
    def headers(self, value):
        self._headers = value

    @property
    def reason(self):
        if self._closed_head is not None:
            return self._closed_head[0]
        return self._native.reason

    @property
    def elapsed(self):
        seconds = self._closed_head[1] if self._closed_head is not None else self._native.elapsed
        return datetime.timedelta(seconds=seconds)

    @property
    def history(self):
        if self._history is None:
            self._history = [Response(hop) for hop in self._native.history]
        return self._history

    @history.setter
    def history(self, value):
        self._history = value

    @property
    def request(self):
        if self._request is None and self._closed_head is not None:
            return self._closed_head[2]
        if self._request is None:
            method, url, headers = self._native.request()
            self._request = PreparedRequest(method, url, CaseInsensitiveDict.over(headers))
        return self._request

    @property
    def cookies(self):
        """The cookies this response set (a ``RequestsCookieJar`` when requests is there)."""
        if self._cookies is None:
            host = urlsplit(self.url).hostname or ""
            pairs = self._native.cookies()
            if _CookieJar is not None:
                jar = _CookieJar()
                for name, value, domain, path in pairs:
                    jar.set(name, value, domain=domain or host, path=path or "/")
            else:  # pragma: no cover
                jar = {name: value for name, value, _, _ in pairs}
            self._cookies = jar
        return self._cookies

    @property
    def ok(self):
        return self.status_code < 400

    @property
    def is_redirect(self):
        return "location" in self.headers and self.status_code in (301, 302, 303, 307, 308)

    @property
    def is_permanent_redirect(self):
        return "location" in self.headers and self.status_code in (301, 308)

    def raise_for_status(self):
        """Raises ``HTTPError`` for a 4xx or 5xx status, as requests."""
        reason = self.reason
        if 400 <= self.status_code < 500:
            message = f"{self.status_code} Client Error: {reason} for url: {self.url}"
        elif 500 <= self.status_code < 600:
            message = f"{self.status_code} Server Error: {reason} for url: {self.url}"
        else:
            return
        raise exceptions.HTTPError(message, response=self)

    @property
    def raw(self):
        """The body as a file-like object (``read``, ``stream``), as requests' urllib3
        response for ``stream=True``: ``shutil.copyfileobj(r.raw, file)`` works. Bytes come
        decompressed (the engine decodes as it reads)."""
        if self._raw is None:
            self._raw = RawBody(self)
        return self._raw

    # -- the body -------------------------------------------------------------------------

    def _chunks(self):
        """The rest of a streamed body, chunk by chunk as it arrives."""
        if self._content_consumed:
            raise exceptions.StreamConsumedError()
        self._content_consumed = True
        while True:
            try:
                chunk = self._native.read_chunk()
            except NativeError as err:
                _raise_native(err)
            if chunk is None:
                return
            yield chunk

    def iter_content(self, chunk_size=1, decode_unicode=False):
        """The body in pieces of ``chunk_size`` bytes (as they arrive when ``None``)."""
        if chunk_size is not None and not isinstance(chunk_size, int):
            raise TypeError(f"chunk_size must be an int, it is instead a {type(chunk_size)}.")
        if self._content is None and self._content_consumed:
            raise exceptions.StreamConsumedError()
        if self._content is not None:
            content = self._content
            step = chunk_size or len(content) or 1
            chunks = (content[i : i + step] for i in range(0, len(content), step))
        else:
            chunks = self._chunks()
            if chunk_size:
                chunks = _rechunk(chunks, chunk_size)
        if decode_unicode:
            chunks = _decode(chunks, self.encoding or self.apparent_encoding)
        return chunks

    def iter_lines(self, chunk_size=_ITER_CHUNK_SIZE, decode_unicode=False, delimiter=None):
        """The body line by line, as requests' ``iter_lines``."""
        pending = None
        for chunk in self.iter_content(chunk_size=chunk_size, decode_unicode=decode_unicode):
            if pending is not None:
                chunk = pending + chunk
            lines = chunk.split(delimiter) if delimiter else chunk.splitlines()
            if lines and lines[-1] and chunk and lines[-1][-1] == chunk[-1]:
                pending = lines.pop()
            else:
                pending = None
            yield from lines
        if pending is not None:
            yield pending

    @property
    def content(self):
        """The body as bytes; a streamed body is read to its end first."""
        if self._content is None:
            if self._content_consumed:
                raise RuntimeError("The content for this response was already consumed")
            self._content = b"".join(self._chunks())
        return self._content

    @property
    def encoding(self):
        if not self._encoding_set:
            self._encoding = _encoding_from_headers(self.headers)
            self._encoding_set = True
        return self._encoding

    @encoding.setter
    def encoding(self, value):
        self._encoding = value
        self._encoding_set = True

    @property
    def apparent_encoding(self):
        """The encoding the body looks like: charset_normalizer's guess when it is
        installed, otherwise UTF-8 if the body decodes as UTF-8, else ISO-8859-1."""
        try:
            import charset_normalizer
        except ImportError:
            try:
                self.content.decode("utf-8")
                return "utf-8"
            except UnicodeDecodeError:
                return "ISO-8859-1"
        best = charset_normalizer.from_bytes(self.content).best()
        return best.encoding if best is not None else "utf-8"

    @property
    def text(self):
        """The body decoded with ``encoding`` (or ``apparent_encoding``), errors replaced."""
        content = self.content
        if not content:
            return ""
        encoding = self.encoding or self.apparent_encoding
        try:
            return str(content, encoding, errors="replace")
        except (LookupError, TypeError):
            return str(content, errors="replace")

    def json(self, **kwargs):
        """The body parsed as JSON; ``JSONDecodeError`` if it is not JSON."""
        text = self.text if self.encoding else self.content.decode("utf-8", errors="replace")
        try:
            return _json.loads(text, **kwargs)
        except _json.JSONDecodeError as err:
            raise exceptions.JSONDecodeError(err.msg, err.doc, err.pos) from None

    @property
    def links(self):
        header = self.headers.get("link")
        links = {}
        if header:
            for link in _parse_links(header):
                key = link.get("rel") or link.get("url")
                links[key] = link
        return links

    # -- the object -------------------------------------------------------------------------

    def close(self):
        """Drops a streamed body that was not read, and the connection it was coming on."""
        if not self._content_consumed:
            # The head stays readable: keep what close takes away.
            self.url, self.headers, self.history = self.url, self.headers, self.history
            self._closed_head = (self.reason, self._native.elapsed, self.request)
            self._content_consumed = True
            self._native.close()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def __bool__(self):
        return self.ok

    def __iter__(self):
        return self.iter_content(128)

    def __repr__(self):
        return f"<Response [{self.status_code}]>"


class RawBody(io.RawIOBase):
    """A response's body read as a file: what ``Response.raw`` returns."""

    decode_content = True

    def __init__(self, response):
        super().__init__()
        self._response = response
        self._chunks = None
        self._pending = b""

    def readable(self):
        return True

    def _next_chunk(self):
        if self._chunks is None:
            self._chunks = self._response.iter_content(chunk_size=None)
        return next(self._chunks, b"")

    def read(self, size=-1):
        if size is None or size < 0:
            rest = [self._pending]
            self._pending = b""
            while chunk := self._next_chunk():
                rest.append(chunk)
            return b"".join(rest)
        while len(self._pending) < size:
            chunk = self._next_chunk()
            if not chunk:
                break
            self._pending += chunk
        out, self._pending = self._pending[:size], self._pending[size:]
        return out

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def stream(self, amt=2**16, decode_content=None):
        """Yields the body in pieces of at most ``amt`` bytes, as urllib3's ``stream``."""
        while data := self.read(amt):
            yield data


def _rechunk(chunks, size):
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= size:
            yield buffer[:size]
            buffer = buffer[size:]
    if buffer:
        yield buffer


def _decode(chunks, encoding):
    decoder = codecs.getincrementaldecoder(encoding or "utf-8")(errors="replace")
    for chunk in chunks:
        text = decoder.decode(chunk)
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


def _parse_links(value):
    """requests' ``parse_header_links``."""
    links = []
    replace_chars = " '\""
    value = value.strip(replace_chars)
    if not value:
        return links
    for val in value.split(", <"):
        url, _, params = val.partition(";")
        link = {"url": url.strip("<> '\"")}
        for param in params.split(";"):
            key, _, v = param.partition("=")
            if key:
                link[key.strip(replace_chars)] = v.strip(replace_chars)
        links.append(link)
    return links
