"""Runs one command-line contender of `cargo xtask bench --cli` and prints the JSON line the
bench reads: wall time, CPU of the command and everything it started (RUSAGE_CHILDREN), its
peak RSS (the largest process's, from GNU time), and how many of the URLs it fetched with a
200.

The peak comes from GNU time, not from this interpreter's RUSAGE_CHILDREN: a process forked
from Python starts with Python's resident set as its high-water mark, and Linux keeps that
mark across exec, so every contender measured here read at least this interpreter's ~14 MiB
(`/bin/true` did). GNU time forks the command from its own 1 MiB.

usage: _cli_run.py NAME COUNT OK_RULE -- COMMAND...
OK_RULE: `codes` (stdout holds one status code per line), `jsonl:PATH` (grequests fetch
records), `csv:COLUMN` (a CSV report on stdout, the status in COLUMN), `exit` (all or
nothing, by exit status), `files:DIR` (one file per fetched URL).
"""
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"


def fetched(rule: str, stdout: bytes, returncode: int, count: int) -> int:
    if rule == "codes":
        return sum(1 for line in stdout.split() if line == b"200")
    if rule.startswith("jsonl:"):
        with open(rule[len("jsonl:"):], "rb") as records:
            return sum(1 for line in records if json.loads(line).get("status") == 200)
    if rule.startswith("csv:"):
        column = rule[len("csv:"):]
        rows = csv.DictReader(io.StringIO(stdout.decode("utf-8", "replace")))
        return sum(1 for row in rows if row.get(column) == "200")
    if rule.startswith("files:"):
        return len(os.listdir(rule[len("files:"):]))
    return count if returncode == 0 else 0


def main() -> None:
    name, count, rule = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    command = sys.argv[sys.argv.index("--") + 1:]
    with tempfile.NamedTemporaryFile(mode="r") as peak:
        started = time.perf_counter()
        done = subprocess.run(
            [GNU_TIME, "-f", "%M", "-o", peak.name, *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        # A failed command's report starts with a line saying so; the figure is last.
        max_rss_kib = int(peak.read().split()[-1])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "contender": name, "flavor": "cli", "requests": count,
        "ok": fetched(rule, done.stdout, done.returncode, count),
        "wall_s": wall, "rps": count / wall, "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_rss_kib": max_rss_kib,
    }))


if __name__ == "__main__":
    main()
