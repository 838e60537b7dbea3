"""What the engine adds to grequests: real cancellation, the GIL released while waiting,
threads, asyncio, no import-time side effects, and a requests-like Response."""

import asyncio
import collections
import datetime
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

import grequests_rs as grequests


def test_gtimeout_cancels_what_is_unfinished(httpbin):
    reqs = [grequests.get(httpbin("get"))] + [grequests.get(httpbin("delay/10")) for _ in range(3)]
    started = time.monotonic()
    results = grequests.map(reqs, gtimeout=0.3, exception_handler=lambda r, e: e)
    # Not a speed test: the delays are 10 s, so returning at all before them means canceled.
    assert time.monotonic() - started < 8
    assert results[0].status_code == 200
    assert all(isinstance(r, requests.exceptions.Timeout) for r in results[1:])


def test_imap_enumerated_gives_every_index_once(httpbin, refused_url):
    reqs = [grequests.get(httpbin("status/%d" % (200 + i))) for i in range(8)]
    reqs[3] = grequests.get(refused_url)
    seen = dict(grequests.imap_enumerated(reqs, size=3))
    assert sorted(seen) == list(range(8))
    assert seen[3] is None
    assert [seen[i].status_code for i in range(8) if i != 3] == [200, 201, 202, 204, 205, 206, 207]


def test_imap_pulls_a_generator_lazily(httpbin):
    pulled = []

    def requests_():
        for i in range(6):
            pulled.append(i)
            yield grequests.get(httpbin("get?i=%d" % i))

    stream = grequests.imap(requests_(), size=2)
    first = next(stream)
    assert first.status_code == 200
    assert len(pulled) <= 3  # size in flight, plus the slot the first result freed
    assert len(list(stream)) == 5


def test_the_gil_is_released_while_requests_are_in_flight(httpbin):
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        grequests.map([grequests.get(httpbin("delay/1")) for _ in range(2)])
    finally:
        stop.set()
        ticker.join()
    assert len(ticks) > 20


def test_batches_from_several_threads_share_the_pool(httpbin):
    results = {}

    def batch(n):
        rs = [grequests.get(httpbin("get?t=%d&i=%d" % (n, i))) for i in range(20)]
        results[n] = [r.status_code for r in grequests.map(rs, size=5)]

    threads = [threading.Thread(target=batch, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {n: [200] * 20 for n in range(4)}


def test_asyncio_forms(httpbin):
    async def main():
        ordered = await grequests.amap([grequests.get(httpbin("status/%d" % c)) for c in (201, 202)])
        streamed = [r.status_code async for r in grequests.aimap(
            [grequests.get(httpbin("status/203")), grequests.get("http://nowhere.invalid/")]
        )]
        return [r.status_code for r in ordered], streamed

    assert asyncio.run(main()) == ([201, 202], [203])


def test_import_has_no_side_effects(run_python):
    done = run_python(
        "import socket, threading\n"
        "before = (socket.socket, threading.active_count())\n"
        "import grequests_rs\n"
        "assert (socket.socket, threading.active_count()) == before, 'side effect'\n"
        "print('clean')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"


def test_ctrl_c_interrupts_a_batch(run_python, httpbin):
    done = run_python(
        "import os, signal, threading, time, grequests_rs as g\n"
        # A background job starts with SIGINT ignored, and Python then installs no handler.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()\n"
        "started = time.monotonic()\n"
        "try:\n"
        f"    g.map([g.get({httpbin('delay/10')!r}) for _ in range(3)])\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', time.monotonic() - started < 8)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "interrupted True"


def test_the_response_behaves_like_requests(httpbin):
    r = grequests.map([grequests.get(httpbin("redirect/1"))])[0]
    assert repr(r) == "<Response [200]>"
    assert r and r.ok and r.reason == "OK"
    assert r.url == httpbin("get")
    assert r.headers["CONTENT-TYPE"] == r.headers["content-type"] == "application/json"
    assert isinstance(r.elapsed, datetime.timedelta)
    assert [h.status_code for h in r.history] == [302]
    assert r.request.method == "GET" and r.request.url == httpbin("get")
    assert r.json()["url"] == httpbin("get")
    assert r.text == r.content.decode("utf-8")
    assert r.encoding == "utf-8"
    r.encoding = "ISO-8859-1"
    assert r.encoding == "ISO-8859-1"

    html = grequests.map([grequests.get(httpbin(""))])[0]
    assert html.encoding == "utf-8" and html.apparent_encoding
    missing = grequests.map([grequests.get(httpbin("status/404"))])[0]
    assert not missing and missing.status_code == 404

    s = grequests.Session()
    set_cookie = grequests.map([grequests.get(httpbin("cookies/set?a=1"), session=s,
                                              allow_redirects=False)])[0]
    assert dict(set_cookie.cookies) == {"a": "1"}


def test_response_headers_join_a_repeated_name_as_requests_does(httpbin):
    r = grequests.map([grequests.get(httpbin("response-headers?X-Twice=a&X-Twice=b"))])[0]
    assert r.headers["X-TWICE"] == "a, b"
    assert "x-twice" in r.headers and "X-Twice" in r.headers and "x-never" not in r.headers
    items = dict(r.headers.items())
    assert items["x-twice"] == "a, b" and items == {k: r.headers[k] for k in r.headers}
    assert ("x-twice", "a, b") in r.headers.items()


def test_closing_a_streamed_response_keeps_its_head(httpbin):
    r = grequests.map([grequests.get(httpbin("stream/100"), stream=True)])[0]
    r.close()
    assert r.status_code == 200 and r.headers["content-type"] and r.reason == "OK"
    assert r.url == httpbin("stream/100")


def test_pid_is_the_same_process():
    # grequests' gevent ran everything in one thread of this process; so does the engine's
    # consumer side: hooks see the caller's thread.
    seen = []
    grequests.map([grequests.get("http://nowhere.invalid/")],
                  exception_handler=lambda r, e: seen.append((os.getpid(), threading.get_ident())))
    assert seen == [(os.getpid(), threading.get_ident())]


def test_a_forked_child_sends_on_its_own_runtime(run_python, httpbin):
    # multiprocessing and pre-forking servers fork after the parent has sent requests: the
    # child must not wait on the parent's runtime, whose threads it does not have.
    done = run_python(
        "import os, grequests_rs as g\n"
        f"url = {httpbin('get')!r}\n"
        "session = g.Session()\n"
        "assert g.map([g.get(url), g.get(url, session=session)])[0].status_code == 200\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    fresh = g.map([g.get(url)], exception_handler=lambda r, e: e)[0]\n"
        "    stale = g.map([g.get(url, session=session)], exception_handler=lambda r, e: e)[0]\n"
        "    ok = fresh.status_code == 200 and isinstance(stale, RuntimeError) and 'fork' in str(stale)\n"
        "    os._exit(0 if ok else 1)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print('child', os.waitstatus_to_exitcode(status))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "child 0"


def test_the_type_stubs_match_the_package():
    # mypy's stubtest compares __init__.pyi and _native.pyi with what the module really has,
    # under the package's own mypy settings (pyproject.toml: Ray ships no types).
    config = Path(__file__).resolve().parents[1] / "pyproject.toml"
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--mypy-config-file", str(config), "grequests_rs"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_engine_reads_the_spec_by_field_name(httpbin):
    from grequests_rs import _native
    from grequests_rs._prepare import RequestSpec, spec
    from grequests_rs.sessions import default_session

    request = grequests.get(httpbin("get"), params={"q": "1"}, timeout=5)
    built = spec(request, default_session(), None, False)
    assert isinstance(built, RequestSpec)
    assert (built.params, built.read_timeout, built.allow_redirects) == ([("q", "1")], 5.0, True)
    ((_, (_, native, error)),) = list(_native.NativeImap([(request, built)]))
    assert error is None and native.status == 200

    # A spec without a field is refused by that field's name, not by a position.
    Short = collections.namedtuple("Short", [f for f in RequestSpec._fields if f != "read_timeout"])
    short = Short(**{f: getattr(built, f) for f in Short._fields})
    ((_, (_, native, error)),) = list(_native.NativeImap([(request, short)]))
    assert native is None and "read_timeout" in str(error), error


def test_a_plain_request_takes_the_fast_path_to_the_same_spec(httpbin):
    from grequests_rs._prepare import RequestSpec, spec
    from grequests_rs.sessions import default_session

    session = default_session()
    fast = spec(grequests.get(httpbin("get")), session, None, False)
    slow = spec(grequests.get(httpbin("get"), allow_redirects=True), session, None, False)
    assert type(fast) is RequestSpec and fast == slow, (fast, slow)


def test_the_modules_import_in_layers_without_a_cycle():
    # requests' layering: leaves (exceptions, structures, the engine), models, then spec
    # building and sending (which know no session), sessions, the API. Read from the source,
    # lazy imports inside functions included, so that no cycle hides behind one.
    import ast
    import pathlib

    layers = {
        "_native": 0, "exceptions": 0, "structures": 0,
        "models": 1,
        "_prepare": 2, "sending": 2,
        "sessions": 3,
        "api": 4,
        "__init__": 5, "ray": 5,
    }
    package = pathlib.Path(grequests.__file__).parent
    modules = {p.stem for p in package.glob("*.py")}
    assert modules <= set(layers), f"a module with no layer: {modules - set(layers)}"
    for name in sorted(modules):
        tree = ast.parse((package / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                targets = [node.module] if node.module else [a.name for a in node.names]
                for target in targets:
                    target = target.split(".")[0]
                    assert layers[target] < layers[name], f"{name} imports {target}"


def test_max_connections_per_host_is_what_the_server_sees(base_url):
    # Two names for the one server, so that the server counts each host's requests apart.
    host, port = base_url.split("//")[1].rstrip("/").split(":")
    s = grequests.Session(resolve={"a.test": f"{host}:{port}", "b.test": f"{host}:{port}"})
    s.max_connections_per_host = 2
    urls = [f"http://{name}.test:{port}/delay/0.05" for name in "ab" for _ in range(12)]
    responses = grequests.map([grequests.get(u, session=s) for u in urls], size=24)
    assert [r.status_code for r in responses] == [200] * 24
    peaks = requests.get(base_url + "peak-in-flight").json()
    assert peaks[f"a.test:{port}"] == 2 and peaks[f"b.test:{port}"] == 2, peaks
