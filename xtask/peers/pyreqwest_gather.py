"""pyreqwest (reqwest for Python) with a semaphore of SIZE: the fastest Python client
measured here, used as its authors show.

Usage: pyreqwest_gather.py URL REQUESTS SIZE; prints one JSON line like the Rust contenders.
"""
import asyncio
import sys
import time

from pyreqwest.client import ClientBuilder
from _report import report

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
report("python-pyreqwest", count, ok, started)
