"""Python grequests 0.7 at its best: imap over a shared Session (one connection pool).

Usage: grequests_imap.py URL REQUESTS SIZE; prints one JSON line like the Rust contenders.
"""
from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402
import time  # noqa: E402

import grequests  # noqa: E402
import requests  # noqa: E402
from _report import report  # noqa: E402

url, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
session = requests.Session()
adapter = requests.adapters.HTTPAdapter(pool_connections=size, pool_maxsize=size)
session.mount("http://", adapter)
started = time.perf_counter()
ok = sum(1 for r in grequests.imap((grequests.get(url, session=session) for _ in range(count)), size=size) if r.ok)
report("python-grequests", count, ok, started)
