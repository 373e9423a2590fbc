"""gunicorn settings shared by `make serve`, CI's smoke test and the container image.

The worker is gunicorn's sync worker answering the requests gunicorn refuses itself (URL or
headers too large, malformed HTTP) in the portal's JSON error shape (portal/ops/gunicorn_worker.py).
The request line may be up to 8190 bytes (gunicorn's largest; its default is 4094), so a long
answer_url query string from Stringee (custom data) still reaches the portal.

With PROMETHEUS_MULTIPROC_DIR set, each worker writes its metric values to files there and
/metrics adds them up; a worker that exits must be marked dead so its live-only values go.
"""

from __future__ import annotations

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "portal.ops.gunicorn_worker.JsonErrorSyncWorker"
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = None  # the portal writes its own JSON access lines for webhooks
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
