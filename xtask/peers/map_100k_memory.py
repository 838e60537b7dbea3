"""map over N requests with a session, keeping every response: Python grequests 0.7 or this
project's grequests_rs. Prints the successes, failures, wall time and peak RSS.

Usage: map_100k_memory.py grequests|ours URL N SIZE (in target/bench/venv, which
`cargo xtask bench --peer python` makes).
"""
import sys, time, resource
which, url, n, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if which == "grequests":
    from gevent import monkey; monkey.patch_all()
    import grequests, requests
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=size, pool_maxsize=size))
else:
    import grequests_rs as grequests
    session = grequests.Session()
started = time.perf_counter()
rs = grequests.map((grequests.get(url, session=session) for _ in range(n)), size=size)
wall = time.perf_counter() - started
ok = sum(1 for r in rs if r is not None and r.ok)
print(which, "ok", ok, "failed", n - ok, "wall_s %.1f" % wall, "max_rss_mib %.0f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
