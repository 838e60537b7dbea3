"""Python grequests 0.7 at its best: imap over a shared Session (one connection pool).

Usage: grequests_imap.py URL REQUESTS SIZE; prints one JSON line like the Rust contenders.
"""
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import grequests  # noqa: E402
import requests  # noqa: E402

url, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
session = requests.Session()
adapter = requests.adapters.HTTPAdapter(pool_connections=size, pool_maxsize=size)
session.mount("http://", adapter)
started = time.perf_counter()
ok = sum(1 for r in grequests.imap((grequests.get(url, session=session) for _ in range(count)), size=size) if r.ok)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "contender": "python-grequests", "flavor": "py", "requests": count, "ok": ok,
    "wall_s": wall, "rps": count / wall, "cpu_s": usage.ru_utime + usage.ru_stime,
    "max_rss_kib": usage.ru_maxrss,
}))
