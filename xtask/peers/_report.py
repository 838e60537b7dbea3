"""The JSON line every peer prints, in the Rust contenders' format, for the bench to read."""
import json
import resource
import time


def report(contender: str, count: int, ok: int, started: float) -> None:
    """Prints the run of `contender`: `count` requests, `ok` of them answered below 400,
    since `started` (a `time.perf_counter()` reading); CPU and peak RSS of this process."""
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "contender": contender, "flavor": "py", "requests": count, "ok": ok,
        "wall_s": wall, "rps": count / wall, "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_rss_kib": usage.ru_maxrss,
    }))
