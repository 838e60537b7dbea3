"""aiohttp with a semaphore of SIZE: what an asyncio user writes.

Usage: aiohttp_gather.py URL REQUESTS SIZE; prints one JSON line like the Rust contenders.
"""
import asyncio
import sys
import time

import aiohttp
from _report import report

url, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


async def main() -> int:
    limit = asyncio.Semaphore(size)
    connector = aiohttp.TCPConnector(limit=size)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> bool:
            async with limit:
                async with session.get(url) as response:
                    await response.read()
                    return response.status < 400

        results = await asyncio.gather(*(one() for _ in range(count)))
    return sum(results)


started = time.perf_counter()
ok = asyncio.run(main())
report("python-aiohttp", count, ok, started)
