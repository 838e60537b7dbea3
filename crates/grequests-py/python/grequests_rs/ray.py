"""Fetch a URL column of a Ray Dataset with the engine: every row once, failures as data.

``fetch(dataset)`` returns a Dataset with the input's columns and, per row, ``status``,
``final_url``, ``headers`` (a map, repeated names joined as requests joins them),
``elapsed_ms``, ``error_kind`` (requests' exception class: ``ConnectionError``,
``ReadTimeout``, ``MissingSchema``, …), ``error_message`` and, unless ``body=False``,
``body`` (binary). A row whose request failed has ``status`` null and its error filled in; a
bad URL is such a row too. Nothing a server does fails a block.

It is ``Dataset.map_batches`` with a callable class: each actor of the pool keeps one
``Session`` (one connection pool and descriptor budget) across all its batches, and sends
each batch with ``imap_enumerated``, ``size`` requests at once.

**Per-host politeness across the cluster** (``per_host=N``): the rows are first grouped by
a hash of their host into shards (``groupby().map_groups()``), so that all of a host's rows
are fetched in one call, by one actor, whose session keeps at most ``N`` connections (and so,
over HTTP/1.1, ``N`` requests) open to that host. What it costs: an all-to-all shuffle of
the input rows before the first request, each shard held in memory whole, and no more
parallelism than shards (four per actor). The hash is the CLI's ``--shard`` rule (the first
8 bytes of SHA-256 of the lowercased host, big-endian), so a host lands in the same shard
however the list is split.

**Failures of the cluster**: an actor that dies is restarted by Ray and its batch sent again
(Ray Data's actors restart and retry by default), so the output still holds each input row
exactly once, but the requests of that batch may reach their servers twice, as a re-run
Spark or Ray task does. Keep such batches safe to repeat: idempotent methods (GET, HEAD,
PUT, DELETE), or an ``Idempotency-Key`` header per row for a POST the server deduplicates.

Importing ``grequests_rs`` never imports Ray; this module needs it
(``pip install "grequests-rs[ray]"``).
"""

import hashlib
from urllib.parse import urlsplit

import pyarrow as pa
import ray
import ray.data

from . import api
from .sessions import Session

__all__ = ["fetch", "shard_of"]

#: The columns ``fetch`` adds, with their Arrow types.
COLUMNS = {
    "status": pa.int32(),
    "final_url": pa.string(),
    "headers": pa.map_(pa.string(), pa.string()),
    "elapsed_ms": pa.float64(),
    "error_kind": pa.string(),
    "error_message": pa.string(),
}
_BODY = ("body", pa.binary())
_SHARD = "__grequests_shard"
_SHARDS_PER_ACTOR = 4
#: Ray 2.51 moved an actor pool's size from ``concurrency=`` to ``compute=``.
_COMPUTE_SINCE = (2, 51)


def fetch(dataset, url_column="url", *, size=50, actors=None, body=True, per_host=None,
          method="GET", batch_size=1024, make_session=None, num_cpus=0.5, **request_kwargs):
    """``dataset`` with each row's response (or error) as columns; see the module's notes.

    ``actors``: the pool's size (default: one per CPU of the cluster). ``per_host``: at most
    this many requests at once per host, cluster-wide. ``make_session``: a function that
    makes each actor's ``Session`` (its headers, auth, limits, ``resolve``); it is pickled to
    the actors. ``request_kwargs``: requests' keywords for every request (``headers``,
    ``timeout``, ``auth``, …), as ``grequests_rs.request`` takes them.
    """
    schema = dataset.schema(fetch_if_missing=False)  # None when only running would tell
    if schema is not None and url_column not in schema.names:
        raise ValueError(f"the dataset has no column {url_column!r}, only {schema.names}")
    actors = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
    fetcher = dict(
        fn_constructor_kwargs=dict(
            url_column=url_column, size=size, body=body, method=method, per_host=per_host,
            make_session=make_session, request_kwargs=request_kwargs,
        ),
        batch_format="pyarrow",
        num_cpus=num_cpus,
        **_actor_pool(actors),
    )
    if per_host is None:
        return dataset.map_batches(_Fetcher, batch_size=batch_size, **fetcher)
    shards = actors * _SHARDS_PER_ACTOR
    keyed = dataset.map_batches(
        _add_shard, fn_kwargs=dict(url_column=url_column, shards=shards), batch_format="pyarrow"
    )
    fetched = keyed.groupby(_SHARD).map_groups(_Fetcher, **fetcher)
    return fetched.drop_columns([_SHARD])


def shard_of(url, shards):
    """The shard of ``url`` among ``shards``: SHA-256 of its lowercased host (its stripped
    text when it has none), the first 8 bytes big-endian, modulo ``shards``."""
    try:
        key = urlsplit(str(url).strip()).hostname or str(url).strip()
    except ValueError:
        key = str(url).strip()
    digest = hashlib.sha256(key.lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def _actor_pool(actors):
    """The keyword that sizes a fixed pool of ``actors``, in this Ray's terms."""
    if _version(ray.__version__) >= _COMPUTE_SINCE:
        return {"compute": ray.data.ActorPoolStrategy(size=actors)}
    return {"concurrency": actors}


def _version(text):
    parts = []
    for part in text.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _add_shard(batch, url_column, shards):
    urls = batch.column(url_column).to_pylist()
    return batch.append_column(_SHARD, pa.array([shard_of(u, shards) for u in urls], pa.int64()))


class _Fetcher:
    """One actor: a session kept across batches, each batch sent with ``imap_enumerated``."""

    def __init__(self, url_column, size, body, method, per_host, make_session, request_kwargs):
        self.session = make_session() if make_session is not None else Session()
        if per_host is not None:
            self.session.max_connections_per_host = per_host
        self.url_column, self.size, self.body, self.method = url_column, size, body, method
        self.request_kwargs = request_kwargs
        # Without response hooks, each response is the engine's as it came, and its row is
        # read from the engine in one call; a hook may replace or change it, and then the row
        # is read from what the hook left.
        session_hooks = getattr(self.session, "hooks", None) or {}
        self.hooked = bool(request_kwargs.get("hooks") or session_hooks.get("response"))

    def __call__(self, batch):
        taken = set(batch.column_names) & (set(COLUMNS) | {_BODY[0]})
        if taken:
            raise ValueError(f"the dataset already has columns that fetch adds: {sorted(taken)}")
        urls = batch.column(self.url_column).to_pylist()
        requests = [
            api.request(self.method, url, session=self.session, **self.request_kwargs)
            for url in urls
        ]
        row = _row if self.hooked else _engine_row
        rows = [None] * len(urls)
        for index, response in api.imap_enumerated(requests, size=self.size):
            rows[index] = _failed(requests[index]) if response is None else row(response, self.body)
        names = [*COLUMNS, _BODY[0]] if self.body else list(COLUMNS)
        kinds = [*COLUMNS.values(), _BODY[1]]
        columns = list(zip(*rows)) or [()] * len(names)  # an empty batch gets them too
        for name, kind, values in zip(names, kinds, columns):
            batch = batch.append_column(name, pa.array(values, kind))
        return batch


def _failed(request):
    """The added columns of a row whose request failed (``COLUMNS``' order, then the body)."""
    error = getattr(request, "exception", None)
    kind = type(error).__name__ if error is not None else "RequestException"
    message = str(error) if error is not None else "no response"
    return (None, None, None, None, kind, message, None)


def _row(response, body):
    """The added columns of a row, read from its ``Response``."""
    return (
        response.status_code,
        response.url,
        list(response.headers.items()),
        response.elapsed.total_seconds() * 1000.0,
        None,
        None,
        response.content if body else None,
    )


def _engine_row(response, body):
    """The same columns, read from the engine's response in one call."""
    status, url, headers, elapsed_ms, content = response._native.row(body)
    return (status, url, headers, elapsed_ms, None, None, content)
