"""The services the full bench needs: PostgreSQL (its own database) and Redis, started if down."""

import shutil
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg import sql


def _ready(command: list[str]) -> bool:
    if not shutil.which(command[0]):
        return False
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def ensure_postgres_and_redis() -> None:
    """Start the machine's PostgreSQL cluster and a Redis on loopback if they do not answer."""
    if (
        not _ready(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"])
        and Path("/etc/postgresql").is_dir()
    ):
        for version in sorted(p.name for p in Path("/etc/postgresql").iterdir()):
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
            )
        for _ in range(30):
            if _ready(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]):
                break
            time.sleep(1)
    if not _ready(["redis-cli", "-h", "127.0.0.1", "ping"]) and shutil.which("redis-server"):
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
            ],
            check=False,
        )
        time.sleep(1)


def create_database(server_url: str, name: str) -> str:
    """(Re)create database `name` on the server; return its URL."""
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{server_url}/{name}"


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
