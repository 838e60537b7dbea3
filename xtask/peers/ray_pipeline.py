"""One contender of `cargo xtask bench --ray`: a Ray Data pipeline that fetches a text file
of URLs on a local cluster of ACTORS actors, SIZE requests at a time in each, and keeps
each row's status and body.

Usage: ray_pipeline.py CONTENDER URLS_FILE ACTORS SIZE; CONTENDER is `grequests-rs`
(grequests_rs.ray.fetch), `requests` (a Session per actor and a thread pool of SIZE, what
img2dataset-style pipelines write) or `aiohttp` (an event loop and a ClientSession per
actor, a semaphore of SIZE). Prints one JSON line: the wall time of the pipeline (from the
first block read to the last row materialised; the cluster's start is not counted), and
the rows fetched with a 200. CPU and memory are left at 0: the work happens in the
actors' processes, which getrusage in this one does not see.
"""
import asyncio
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import ray
import ray.data

contender, urls_file, actors, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
BATCH = 1024


def _with_results(batch, statuses, bodies):
    batch = batch.append_column("status", pa.array(statuses, pa.int32()))
    return batch.append_column("body", pa.array(bodies, pa.binary()))


class RequestsFetcher:
    """A Session per actor with a connection pool as large as the thread pool."""

    def __init__(self):
        import requests
        from requests.adapters import HTTPAdapter

        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=128, pool_maxsize=size)
        self.session.mount("http://", adapter)
        self.threads = ThreadPoolExecutor(size)

    def _one(self, url):
        try:
            response = self.session.get(url, timeout=30)
            return response.status_code, response.content
        except Exception:  # noqa: BLE001 - a failure is a row, as in the integration
            return None, None

    def __call__(self, batch):
        results = list(self.threads.map(self._one, batch.column("url").to_pylist()))
        return _with_results(batch, [r[0] for r in results], [r[1] for r in results])


class AiohttpFetcher:
    """An event loop and a ClientSession per actor, kept across batches (Ray Data calls
    the actor from a thread of its own, so the loop runs there, one batch at a time)."""

    def __init__(self):
        import aiohttp

        self.aiohttp = aiohttp
        self.loop = asyncio.new_event_loop()
        self.running = threading.Lock()
        self.session, self.limit = self.loop.run_until_complete(self._start())

    async def _start(self):
        connector = self.aiohttp.TCPConnector(limit=size)
        return self.aiohttp.ClientSession(connector=connector), asyncio.Semaphore(size)

    async def _one(self, url):
        async with self.limit:
            try:
                async with self.session.get(url) as response:
                    return response.status, await response.read()
            except Exception:  # noqa: BLE001 - a failure is a row, as in the integration
                return None, None

    async def _all(self, urls):
        return await asyncio.gather(*(self._one(u) for u in urls))

    def __call__(self, batch):
        with self.running:
            results = self.loop.run_until_complete(self._all(batch.column("url").to_pylist()))
        return _with_results(batch, [r[0] for r in results], [r[1] for r in results])


def pipeline(dataset):
    if contender == "grequests-rs":
        from grequests_rs.ray import fetch

        return fetch(dataset, size=size, actors=actors, batch_size=BATCH, timeout=30)
    fetcher = {"requests": RequestsFetcher, "aiohttp": AiohttpFetcher}[contender]
    # The integration's pool: the same actors, the same share of a CPU each.
    return dataset.map_batches(
        fetcher, batch_size=BATCH, batch_format="pyarrow", num_cpus=0.5,
        compute=ray.data.ActorPoolStrategy(size=actors),
    )


def main():
    ray.init(num_cpus=actors, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    started = time.perf_counter()
    dataset = ray.data.read_text(urls_file).rename_columns({"text": "url"})
    fetched = pipeline(dataset).select_columns(["status"]).materialize()
    wall = time.perf_counter() - started
    count = fetched.count()
    ok = fetched.filter(lambda row: row["status"] == 200).count()
    ray.shutdown()
    print(json.dumps({
        "contender": f"ray-{contender}", "flavor": "py", "requests": count, "ok": ok,
        "wall_s": wall, "rps": count / wall, "cpu_s": 0.0, "max_rss_kib": 0,
    }))


main()
