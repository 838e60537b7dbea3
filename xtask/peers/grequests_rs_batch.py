"""This project's Python package, grequests_rs, used exactly as grequests: unsent requests
from a generator, sent with map or imap at SIZE.

Usage: grequests_rs_batch.py map|imap URL REQUESTS SIZE; prints one JSON line like the Rust
contenders.
"""
import sys
import time

import grequests_rs as grequests
from _report import report

mode, url, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
session = grequests.Session()
requests = (grequests.get(url, session=session) for _ in range(count))
started = time.perf_counter()
if mode == "map":
    ok = sum(1 for r in grequests.map(requests, size=size) if r is not None and r.ok)
else:
    ok = sum(1 for r in grequests.imap(requests, size=size) if r.ok)
report(f"python-grequests-rs-{mode}", count, ok, started)
