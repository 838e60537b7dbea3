"""pyreqwest (reqwest for Python) with a semaphore of SIZE: the fastest Python client
measured here, used as its authors show.

Usage: pyreqwest_gather.py URL REQUESTS SIZE; prints one JSON line like the Rust contenders.
"""
import asyncio
import json
import resource
import sys
import time

from pyreqwest.client import ClientBuilder

url, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


async def main() -> int:
    limit = asyncio.Semaphore(size)
    async with ClientBuilder().max_connections(size).build() as client:

        async def one() -> bool:
            async with limit:
                response = await client.get(url).build().send()
                await response.bytes()
                return response.status < 400

        results = await asyncio.gather(*(one() for _ in range(count)))
    return sum(results)


started = time.perf_counter()
ok = asyncio.run(main())
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "contender": "python-pyreqwest", "flavor": "py", "requests": count, "ok": ok,
    "wall_s": wall, "rps": count / wall, "cpu_s": usage.ru_utime + usage.ru_stime,
    "max_rss_kib": usage.ru_maxrss,
}))
