"""Runs one command-line contender of `cargo xtask bench --cli` and prints the JSON line the
bench reads: wall time, CPU of the command and everything it started (RUSAGE_CHILDREN), its
peak RSS (the largest process's, from GNU time), and how many of the URLs it fetched with a
200.

The peak comes from GNU time, not from this interpreter's RUSAGE_CHILDREN: a process forked
from Python starts with Python's resident set as its high-water mark, and Linux keeps that
mark across exec, so every contender measured here read at least this interpreter's ~14 MiB
(`/bin/true` did). GNU time forks the command from its own 1 MiB.

usage: _cli_run.py NAME COUNT OK_RULE [--tree] -- COMMAND...
`--tree`: the command runs many processes at once (`xargs -P 50 curl`); its peak is then
the largest sum, sampled every 50 ms, of the proportional set sizes (PSS: shared pages
divided among the processes sharing them) of all its processes, when that exceeds the
largest process's peak. Sampling costs the wrapper CPU, so only such commands are sampled.
OK_RULE: `codes` (stdout holds one status code per line), `jsonl:PATH` (grequests fetch
records), `csv:COLUMN` (a CSV report on stdout, the status in COLUMN), `exit` (all or
nothing, by exit status), `files:DIR` (one file per fetched URL).
"""
import csv
import glob
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


def tree_pss_kib(root: int) -> int:
    """The summed PSS of `root` and every process below it, now."""
    children: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total


def main() -> None:
    name, count, rule = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    tree = "--tree" in sys.argv[4:sys.argv.index("--")]
    command = sys.argv[sys.argv.index("--") + 1:]
    tree_peak = 0
    with tempfile.NamedTemporaryFile(mode="r") as peak, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [GNU_TIME, "-f", "%M", "-o", peak.name, *command],
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None:
            if tree:
                tree_peak = max(tree_peak, tree_pss_kib(process.pid))
            try:
                process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
        wall = time.perf_counter() - started
        # A failed command's report starts with a line saying so; the figure is last.
        max_rss_kib = max(int(peak.read().split()[-1]), tree_peak)
        out.seek(0)
        stdout = out.read()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "contender": name, "flavor": "cli", "requests": count,
        "ok": fetched(rule, stdout, process.returncode, count),
        "wall_s": wall, "rps": count / wall, "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_rss_kib": max_rss_kib,
    }))


if __name__ == "__main__":
    main()
