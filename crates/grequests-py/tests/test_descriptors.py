"""With default settings, a batch never fails for want of file descriptors: each load runs
in a fresh interpreter whose soft ``RLIMIT_NOFILE`` is 1024 (Linux's default), and counts
its open descriptors while it runs."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")

LOAD = """
import json, os, resource, sys, threading, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
import grequests_rs as grequests

def open_fds():
    return len(os.listdir("/proc/self/fd"))

peak, stop = [0], threading.Event()
def sample():
    while not stop.is_set():
        peak[0] = max(peak[0], open_fds())
        time.sleep(0.001)

host, port = sys.argv[1], int(sys.argv[2])
origins = int(sys.argv[3])
if origins:
    session = grequests.Session(resolve={f"o{i}.test": f"{host}:{port}" for i in range(origins)})
    urls = [f"http://o{i % origins}.test:{port}/get" for i in range(20_000)]
    size = 50
else:
    session = None
    urls = [f"http://{host}:{port}/get"] * 5000
    size = None
before = open_fds()
threading.Thread(target=sample, daemon=True).start()
started = time.monotonic()
errors = []
responses = grequests.map(
    [grequests.get(u, session=session) for u in urls], size=size,
    exception_handler=lambda request, exception: errors.append(repr(exception)),
)
elapsed = time.monotonic() - started
stop.set()
status = (session or grequests.sessions.default_session()).pool_status()
print(json.dumps({
    "total": len(responses),
    "ok": sum(1 for r in responses if r is not None and r.status_code == 200),
    "peak": peak[0], "before": before, "budget": status.budget, "open_after": status.open,
    "seconds": round(elapsed, 2), "errors": errors[:5],
}))
"""


@pytest.mark.parametrize("origins", [0, 2000], ids=["map-5000-size-none", "2000-origins-size-50"])
def test_a_batch_never_runs_out_of_descriptors(base_url, origins):
    host, port = base_url.split("//")[1].rstrip("/").split(":")
    done = subprocess.run(
        [sys.executable, "-c", LOAD, host, port, str(origins)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(figures)
    assert figures["total"] == (20_000 if origins else 5000)
    assert figures["ok"] == figures["total"], figures
    assert figures["budget"] == 768, figures
    assert figures["peak"] <= figures["before"] + figures["budget"] + 8, figures
    assert figures["open_after"] <= figures["budget"], figures
