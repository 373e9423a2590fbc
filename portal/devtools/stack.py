"""Throw-away services on loopback for tests and benchmarks: a PostgreSQL cluster and a Redis of
their own (never the machine's shared ones), the portal under gunicorn, and a whole stack of
them with the demo tenant. Used by the fault run, the load benchmark, the two-instance test and
the Redis outage tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql")
BASE_DIR = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_bin(name: str) -> str:
    found = sorted(PG_BIN.glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    return shutil.which(name) or name


def unavailable_reason() -> str | None:
    """Why no throw-away stack can be started here (None: it can)."""
    if not Path(_postgres_bin("initdb")).exists():
        return "PostgreSQL's initdb is not installed"
    if not shutil.which("redis-server"):
        return "redis-server is not installed"
    return None


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` account then."""
    if os.geteuid() != 0:
        return []
    pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"]


class ThrowAwayPostgres:
    """A PostgreSQL cluster in a temporary directory, on its own port, trust authentication."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        if not self.data.exists():
            self._run(
                _postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"
            )
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            _postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
            str(self.directory / "log"), "start",
        )  # fmt: skip
        self._run(
            _postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "portal", check=False,
        )  # fmt: skip

    def stop(self) -> None:
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def pids(self) -> list[int]:
        """The postmaster and every process it started."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(postmaster)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        return [postmaster, *map(int, children)]

    def freeze(self) -> list[int]:
        """Hang the server (every process stopped, connections stay open); returns the pids."""
        frozen = self.pids()
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        return frozen

    @staticmethod
    def thaw(pids: list[int]) -> None:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                continue

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, *command: str, check: bool = True) -> None:
        subprocess.run(
            [*_as_postgres_user(), *command], check=check, capture_output=True, cwd=self.directory
        )


class ThrowAwayRedis:
    """A Redis on its own port that keeps nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(50):
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
            )
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def freeze(self) -> None:
        self._running().send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._running().send_signal(signal.SIGCONT)

    def _running(self) -> subprocess.Popen:
        if self.process is None:
            raise RuntimeError("this Redis is not running")
        return self.process


class GunicornServer:
    """`with GunicornServer(env, workers) as server:` serves the portal at `server.base_url`."""

    def __init__(
        self,
        env: dict[str, str],
        workers: int,
        log_path: Path,
        port: int | None = None,
        ready_path: str = "/healthz",
        config: str | None = None,
    ):
        """`config`: a gunicorn settings module (`portal.gunicorn_conf`, as production runs it);
        without one, plain sync workers."""
        self.config = config
        self.ready_path = ready_path
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str | None = None, timeout: float = 60) -> None:
        ready_path = ready_path or self.ready_path
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            *(["-c", f"python:{self.config}"] if self.config else ["--worker-class", "sync"]),
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}); see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(self.base_url + ready_path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def worker_rss_kib(self) -> list[int]:
        """Resident size of each of this server's workers, in KiB (Linux /proc), largest first."""
        if self.process is None:
            return []
        sizes = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:  # the process ended meanwhile
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(self.process.pid) and "VmRSS" in fields:
                sizes.append(int(fields["VmRSS"].split()[0]))
        return sorted(sizes, reverse=True)

    def __enter__(self) -> GunicornServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Stack:
    """`with Stack(instances=2) as stack:` PostgreSQL, Redis, the demo tenant, N gunicorns; with
    `call_setup_workers`, each instance also answers call setup on a gunicorn of its own
    (PORTAL_POOL=call_setup, as `make serve` runs it): `stack.call_setup_servers`."""

    def __init__(
        self,
        instances: int = 1,
        workers: int = 2,
        log_dir: Path | None = None,
        env: dict[str, str] | None = None,
        call_setup_workers: int = 0,
    ):
        self.call_setup_workers = call_setup_workers
        self.call_setup_servers: list[GunicornServer] = []
        self.extra_env = env or {}
        self.postgres = ThrowAwayPostgres()
        self.redis = ThrowAwayRedis()
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="portal-logs-"))
        self.instances = instances
        self.workers = workers
        self.servers: list[GunicornServer] = []
        self.demo: dict = {}

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.postgres.url,
            "CACHE_URL": self.redis.url,
            "DEBUG": "false",
            "SECRET_KEY": "throw-away-stack-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "API_THROTTLE_RATE": "100000/min",
            **self.extra_env,
        }

    def manage(self, *arguments: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def __enter__(self) -> Stack:
        self.postgres.start()
        self.redis.start()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.demo = json.loads(self.manage("seed_demo", "--json", "--calls", "0"))
        for index in range(self.instances):
            env = self.env
            if self.call_setup_workers:
                setup_port = free_port()
                env = {**env, "CALL_SETUP_BASE_URL": f"http://127.0.0.1:{setup_port}"}
                setup = GunicornServer(
                    {**env, "PORTAL_POOL": "call_setup"},
                    self.call_setup_workers,
                    self.log_dir / f"gunicorn-call-setup-{index}.log",
                    port=setup_port,
                )
                setup.start(ready_path="/healthz")
                self.call_setup_servers.append(setup)
            server = GunicornServer(env, self.workers, self.log_dir / f"gunicorn-{index}.log")
            server.start(ready_path="/healthz")
            self.servers.append(server)
        return self

    def call_setup_url(self, index: int = 0) -> str:
        """Where instance `index` answers call setup: its own pool, or its one server."""
        if self.call_setup_servers:
            return self.call_setup_servers[index].base_url
        return self.servers[index].base_url

    def __exit__(self, *exc) -> None:
        for server in [*self.call_setup_servers, *self.servers]:
            server.stop()
        self.redis.stop()
        self.postgres.remove()
