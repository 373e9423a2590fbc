"""Drive HTTP load at the bench server: wrk when installed (apt), else a small Python client.

Both send the same workload (templates filled per request), stop at a request budget or a
time limit, whichever comes first, and report the same figures. Only loopback URLs are driven.
"""

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.workload import Workload, fill

LUA_SCRIPT = Path(__file__).with_name("load.lua")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class LoadResult:
    """One run of one endpoint at one concurrency."""

    tool: str
    concurrency: int
    sent: int  # requests written to the server
    responses: int  # responses received
    ok: int  # 2xx responses
    errors: int  # connection errors and timeouts
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.responses / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "rps": round(self.rps, 1)}


def _check_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"The bench drives loopback only, not {host}.")


def wrk_path() -> str | None:
    return shutil.which("wrk")


def ensure_wrk() -> str | None:
    """wrk's path, installing Debian's package first when root with apt; None if unavailable."""
    if wrk_path() or not shutil.which("apt-get") or os.geteuid() != 0:
        return wrk_path()
    print("Installing wrk (apt-get install -y wrk) ...", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT, "check": False}
    subprocess.run(["apt-get", "update", "-qq"], **quiet)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        **quiet,
    )
    return wrk_path()


def wrk_version() -> str:
    if not wrk_path():
        return "not installed"
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip()


def run_load(
    base_url: str,
    workload: Workload,
    concurrency: int,
    seconds: float,
    budget: int,
    tool: str = "auto",
) -> LoadResult:
    """Send `workload` at `concurrency` until `budget` requests or `seconds` pass."""
    _check_loopback(base_url)
    if tool == "wrk" or (tool == "auto" and wrk_path()):
        return _run_wrk(base_url, workload, concurrency, seconds, budget)
    return _run_python(base_url, workload, concurrency, seconds, budget)


def _run_wrk(
    base_url: str, workload: Workload, concurrency: int, seconds: float, budget: int
) -> LoadResult:
    threads = 1  # one event loop keeps up with a 2-core server and leaves it the CPU
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as targets:
        for t in workload.templates:
            targets.write(f"{t.method}\t{t.path}\t{t.body}\n")
    try:
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{max(int(seconds), 1)}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA_SCRIPT),
            base_url,
            "--",
            targets.name,
            str(workload.group),
            str(max(budget // threads, 1)),
        ]
        out = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
    finally:
        os.unlink(targets.name)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    return LoadResult(
        tool="wrk",
        concurrency=concurrency,
        sent=data["sent"],
        responses=data["requests"],
        ok=data["ok"],
        errors=data["errors"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )


class _Shared:
    """Counters the Python client's threads share."""

    def __init__(self, budget: int, deadline: float):
        self.lock = threading.Lock()
        self.next = 0
        self.budget = budget
        self.deadline = deadline
        self.latencies: list[float] = []
        self.ok = 0
        self.errors = 0

    def take(self) -> int | None:
        with self.lock:
            if self.next >= self.budget or time.monotonic() >= self.deadline:
                return None
            self.next += 1
            return self.next - 1


def _client_loop(base_url: str, workload: Workload, shared: _Shared, epoch_ms: int) -> None:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    templates = workload.templates
    while (n := shared.take()) is not None:
        path, body = fill(templates[n % len(templates)], n, n // workload.group, epoch_ms + n)
        headers = {"Content-Type": "application/json"} if body else {}
        started = time.perf_counter()
        try:
            conn.request(
                templates[n % len(templates)].method, path, body=body or None, headers=headers
            )
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            with shared.lock:
                shared.errors += 1
            continue
        elapsed = time.perf_counter() - started
        with shared.lock:
            shared.latencies.append(elapsed)
            shared.ok += 200 <= status < 300
    conn.close()


def _percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(int(share * len(sorted_values)), len(sorted_values) - 1)]


def _run_python(
    base_url: str, workload: Workload, concurrency: int, seconds: float, budget: int
) -> LoadResult:
    started = time.monotonic()
    shared = _Shared(budget, started + seconds)
    epoch_ms = int(time.time() * 1000)
    workers = [
        threading.Thread(
            target=_client_loop, args=(base_url, workload, shared, epoch_ms), daemon=True
        )
        for _ in range(concurrency)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 30)
    elapsed = time.monotonic() - started
    latencies = sorted(shared.latencies)
    return LoadResult(
        tool="python",
        concurrency=concurrency,
        sent=shared.next,
        responses=len(latencies),
        ok=shared.ok,
        errors=shared.errors,
        seconds=elapsed,
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
    )
