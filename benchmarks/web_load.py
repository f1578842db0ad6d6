"""The web app under load: requests/s and latency at concurrency 1 and 20, in one run.

Starts `labscout serve` on 127.0.0.1 (a free port) over the demo store, built here
with the real default embedder as a user would (`labscout demo`), or over --db;
measures how long the server takes to listen and how long the first search after
that takes; then at each concurrency level sends a bounded number of requests
(--requests, at most --seconds) from that many threads, each with a keep-alive
connection, cycling through a fixed mix of pages: search (HTML and JSON, several
topics), the ladder tab, a researcher page, an institution page, a reading list.
Prints requests/s, p50/p95 latency, errors and the server's CPU time a request
(its processes, from /proc) per level, the ratio of the highest
level's throughput to the first's, and the load average (other processes on the
machine change the figures: run it when the machine is quiet). The server is
stopped at the end; nothing leaves the machine.

    .venv/bin/python benchmarks/web_load.py [--db STORE] [--levels 1,20]
        [--requests 300] [--seconds 60] [--workers N] [--threads N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
LABSCOUT = [sys.executable, "-m", "labscout"]
TOPICS = [
    "graph neural networks",
    "protein structure prediction",
    "reinforcement learning for robotics",
    "large language models",
    "bayesian optimisation",
    "speech recognition",
    "diffusion models for images",
    "federated learning privacy",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def wait_listening(port: int, proc: subprocess.Popen, limit: float) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return time.perf_counter() - t0
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the server did not listen within {limit:.0f}s")


def page_mix(port: int) -> list[str]:
    """The pages each level cycles through (ids found through the app itself)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    q = TOPICS[0]
    _, body = get(conn, "/search.json?" + urlencode({"q": q}))
    author = json.loads(body)["matches"][0]["author_id"]
    _, body = get(conn, "/search.json?" + urlencode({"q": q, "tab": "ladder"}))
    inst = json.loads(body)["institutions"][0]["institution_id"]
    conn.close()
    mix = []
    for i, t in enumerate(TOPICS):
        mix.append("/?" + urlencode({"q": t}))
        mix.append("/search.json?" + urlencode({"q": t}))
        if i % 2 == 0:
            mix.append("/?" + urlencode({"q": t, "tab": "ladder"}))
            mix.append("/read.json?" + urlencode({"q": t}))
    mix += [f"/researcher/{author}", f"/institution/{inst}?" + urlencode({"q": q})]
    return mix


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its children (the workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run_level(port: int, mix: list[str], threads: int, n: int, seconds: float,
              server: int) -> dict:  # fmt: skip
    lock = threading.Lock()
    counter = iter(range(n))
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            path = mix[i % len(mix)]
            t0 = time.perf_counter()
            try:
                status, _ = get(conn, path)
            except (OSError, http.client.HTTPException) as exc:
                status = -1
                with lock:
                    errors.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            dt = time.perf_counter() - t0
            with lock:
                if status == 200:
                    latencies.append(dt)
                elif status != -1:
                    errors.append(f"{path}: HTTP {status}")
        conn.close()

    load_before = os.getloadavg()[0]
    cpu0 = cpu_seconds(server)
    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    cpu = cpu_seconds(server) - cpu0
    lat = sorted(latencies)
    return {
        "concurrency": threads,
        "requests": len(lat) + len(errors),
        "ok": len(lat),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(wall, 2),
        "rps": round(len(lat) / wall, 2) if wall else 0.0,
        "p50_ms": round(1000 * statistics.median(lat), 1) if lat else None,
        "p95_ms": round(1000 * lat[int(0.95 * (len(lat) - 1))], 1) if lat else None,
        "cpu_ms": round(1000 * cpu / max(1, len(lat)), 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="a store with its index (default: build the demo store)")
    ap.add_argument("--levels", default="1,20", help="concurrency levels (default 1,20)")
    ap.add_argument("--requests", type=int, default=300, help="requests a level (default 300)")
    ap.add_argument("--seconds", type=float, default=60, help="at most this long a level")
    ap.add_argument("--warmup", type=int, default=20, help="requests before the levels")
    ap.add_argument("--workers", type=int, help="serve --workers (default: serve's own)")
    ap.add_argument("--threads", type=int, help="serve --threads (default: serve's own)")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    tmp = tempfile.TemporaryDirectory(prefix="labscout-webload-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABSCOUT_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    db = args.db
    if db is None:
        db = str(Path(tmp.name) / "demo.duckdb")
        t0 = time.perf_counter()
        subprocess.run([*LABSCOUT, "demo", "--db", db, "-q"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"demo store built with the default embedder in {time.perf_counter() - t0:.1f}s")
    port = free_port()
    print(f"serve --workers {args.workers or 'default'} --threads {args.threads or 'default'};"
          f" cpus {os.cpu_count()}, "
          f"load average {os.getloadavg()}")  # fmt: skip
    t_start = time.perf_counter()
    proc = subprocess.Popen(
        [*LABSCOUT, "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port),
         *(["--workers", str(args.workers)] if args.workers else []),
         *(["--threads", str(args.threads)] if args.threads else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        listen = wait_listening(port, proc, 300)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        t0 = time.perf_counter()
        status, _ = get(conn, "/search.json?" + urlencode({"q": "transformers for vision"}))
        first = time.perf_counter() - t0
        conn.close()
        print(f"server listening after {listen:.2f}s (process start {t_start:.0f});"
              f" first search after start: {first * 1000:.0f} ms (HTTP {status})")  # fmt: skip
        mix = page_mix(port)
        run_level(port, mix, 4, args.warmup, args.seconds, proc.pid)  # warm-up, not measured
        results = [run_level(port, mix, c, args.requests, args.seconds, proc.pid)
                   for c in levels]  # fmt: skip
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()
    print(f"{'conc':>5} {'req':>5} {'err':>4} {'s':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}"
          f" {'cpu ms/req':>10} {'load':>11}")  # fmt: skip
    for r in results:
        print(f"{r['concurrency']:>5} {r['requests']:>5} {r['errors']:>4} {r['seconds']:>7}"
              f" {r['rps']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['cpu_ms']:>10}"
              f" {r['load_before']:>5}->{r['load_after']:<5}")  # fmt: skip
        for e in r["first_errors"]:
            print("   error:", e)
    ratio = results[-1]["rps"] / results[0]["rps"] if results[0]["rps"] else float("nan")
    print(f"throughput ratio (concurrency {levels[-1]} / {levels[0]}): {ratio:.2f}x;"
          f" errors {sum(r['errors'] for r in results)};"
          f" first search {first * 1000:.0f} ms; load average now {os.getloadavg()}")  # fmt: skip


if __name__ == "__main__":
    main()
