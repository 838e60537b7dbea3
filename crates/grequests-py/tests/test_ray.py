"""grequests_rs.ray on a local Ray cluster (2 CPUs) against the embedded httpbin: every row
exactly once with its status or error, per-host limits as the server sees them, and an
actor killed mid-run."""

import os
import threading
import time
from collections import Counter

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'grequests-rs[ray]'")

import grequests_rs  # noqa: E402
from grequests_rs import ray as grequests_ray  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    # The actors unpickle this module's functions (sessions, hooks) by importing it.
    here = os.path.dirname(os.path.abspath(__file__))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": here}})
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def _port(base_url):
    return int(base_url.rstrip("/").rsplit(":", 1)[1])


def _nowhere_session():
    # The actors' sessions resolve `.invalid` names to nowhere, without DNS.
    return grequests_rs.Session(resolve={"nowhere.invalid": None})


def test_every_row_once_with_its_status_or_error(cluster, base_url, refused_url):
    kinds = {
        "ok": (base_url + "get", 200, None),
        "missing": (base_url + "status/404", 404, None),
        "slow": (base_url + "delay/0.2", 200, None),
        "refused": (refused_url, None, "ConnectionError"),
        "unresolved": ("http://nowhere.invalid/", None, "ConnectionError"),
        "bad": ("no scheme", None, "MissingSchema"),
    }
    weights = ["ok"] * 90 + ["missing"] * 5 + ["slow", "refused", "unresolved", "bad"]
    rows = [{"id": i, "kind": weights[i % len(weights)]} for i in range(10_000)]
    for row in rows:
        row["url"] = kinds[row["kind"]][0]
    out = grequests_ray.fetch(
        ray.data.from_items(rows), actors=2, body=False, make_session=_nowhere_session, timeout=10
    ).take_all()
    assert sorted(r["id"] for r in out) == list(range(10_000)), "every row exactly once"
    for r in out:
        _, status, error_kind = kinds[r["kind"]]
        assert (r["status"], r["error_kind"]) == (status, error_kind), r
        assert (r["error_message"] is None) == (error_kind is None), r
        if status is not None:
            assert r["final_url"] == r["url"] and r["elapsed_ms"] >= 0, r
            assert dict(r["headers"])["content-length"].isdigit(), r
    assert "body" not in out[0]


def test_bodies_are_a_binary_column(cluster, base_url):
    out = grequests_ray.fetch(
        ray.data.from_items([{"url": base_url + "bytes/10?seed=1"}, {"url": "no scheme"}]), actors=1
    ).take_all()
    bodies = {r["url"]: r["body"] for r in out}
    assert len(bodies[base_url + "bytes/10?seed=1"]) == 10 and bodies["no scheme"] is None


def test_a_batch_of_no_rows_still_gets_the_columns():
    # Ray Data skips empty blocks itself, but a batch of none must not change the schema.
    import pyarrow as pa

    fetcher = grequests_ray._Fetcher("url", 50, True, "GET", None, None, {})
    out = fetcher(pa.RecordBatch.from_pydict({"url": pa.array([], pa.string())}))
    assert out.num_rows == 0
    assert out.schema.names == ["url", *grequests_ray.COLUMNS, "body"]


def test_a_row_read_from_the_engine_is_the_row_read_from_the_response(base_url):
    # Without hooks a row is read from the engine in one call; a hook makes it read from the
    # Response. Both must give the same columns, repeated headers and latin-1 values included.
    import pyarrow as pa

    urls = [
        base_url + "response-headers?x-twice=1&x-twice=2&x-latin=caf%E9",
        base_url + "bytes/10?seed=1",
        base_url + "status/404",
        "no scheme",
    ]
    batch = pa.RecordBatch.from_pydict({"url": pa.array(urls, pa.string())})
    engine = grequests_ray._Fetcher("url", 50, True, "GET", None, None, {})
    hooked = grequests_ray._Fetcher(
        "url", 50, True, "GET", None, None, {"hooks": {"response": lambda r, **kw: None}}
    )
    assert not engine.hooked and hooked.hooked
    fast, slow = engine(batch).to_pylist(), hooked(batch).to_pylist()
    for a, b in zip(fast, slow):
        a.pop("elapsed_ms"), b.pop("elapsed_ms")
        a["headers"] = sorted(kv for kv in a["headers"] or () if kv[0] != "date")
        b["headers"] = sorted(kv for kv in b["headers"] or () if kv[0] != "date")
        assert a == b
    assert dict(fast[0]["headers"])["x-twice"] == "1, 2"
    assert fast[1]["status"] == 200 and len(fast[1]["body"]) == 10
    assert fast[3]["error_kind"] == "MissingSchema"


def test_per_host_holds_across_the_cluster(cluster, base_url):
    port = _port(base_url)
    names = [f"ray{i}.test" for i in range(5)]
    resolve = {name: f"127.0.0.1:{port}" for name in names}
    rows = [{"url": f"http://{name}:{port}/delay/0.05"} for name in names for _ in range(40)]
    out = grequests_ray.fetch(
        ray.data.from_items(rows), actors=2, per_host=2, size=50, body=False,
        make_session=lambda: grequests_rs.Session(resolve=resolve),
    ).take_all()
    assert Counter(r["status"] for r in out) == {200: 200}
    assert set(out[0]) == {"url", "status", "final_url", "headers", "elapsed_ms",
                           "error_kind", "error_message"}, "the shard column is dropped"
    peaks = grequests_rs.get(base_url + "peak-in-flight").send().response.json()
    assert {name: peaks[f"{name}:{port}"] for name in names} == {name: 2 for name in names}


@ray.remote
class _Registry:
    """The actors that answered so far, as handles the test can kill."""

    def __init__(self):
        self.actors = []

    def put(self, actor):
        self.actors.append(actor)

    def get(self):
        return self.actors


def _register_once(response, *args, **kwargs):
    # A response hook, run in the fetching actor: each actor process says it is there once.
    if "GREQUESTS_RAY_TEST_REGISTERED" not in os.environ:
        os.environ["GREQUESTS_RAY_TEST_REGISTERED"] = "1"
        registry = ray.get_actor("grequests-ray-test-registry")
        registry.put.remote(ray.get_runtime_context().current_actor)


def test_an_actor_killed_mid_run_still_gives_every_row_once(cluster, base_url):
    registry = _Registry.options(name="grequests-ray-test-registry").remote()
    rows = [{"id": i, "url": base_url + "delay/0.05"} for i in range(2_000)]
    dataset = grequests_ray.fetch(
        ray.data.from_items(rows), actors=2, size=10, batch_size=200, body=False,
        hooks={"response": _register_once},
    )
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("rows", dataset.take_all()))
    worker.start()
    deadline = time.monotonic() + 60
    while not ray.get(registry.get.remote()) and time.monotonic() < deadline:
        time.sleep(0.05)
    victims = ray.get(registry.get.remote())
    assert victims, "no actor answered within 60 s"
    time.sleep(0.3)  # mid-batch: each batch of 200 takes about a second
    ray.kill(victims[0], no_restart=False)
    worker.join(timeout=300)
    assert not worker.is_alive(), "the run did not finish after the kill"
    out = result["rows"]
    assert sorted(r["id"] for r in out) == list(range(2_000)), "every row exactly once"
    assert Counter(r["status"] for r in out) == {200: 2_000}
    # The killed actor came back (and said so): the kill happened while the run went on.
    assert len(ray.get(registry.get.remote())) >= 3
