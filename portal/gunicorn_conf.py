"""gunicorn settings shared by `make serve`, CI's smoke test and the container image.

With PROMETHEUS_MULTIPROC_DIR set, each worker writes its metric values to files there and
/metrics adds them up; a worker that exits must be marked dead so its live-only values go.
"""

from __future__ import annotations

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = None  # the portal writes its own JSON access lines for webhooks
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
