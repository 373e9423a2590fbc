"""In-process time of the answer_url view on warm requests (Redis cache), without HTTP or wrk.

    CACHE_URL=redis://127.0.0.1:6379/12 python -m bench.view_timing [requests] [--no-call-id]

Builds a throwaway SQLite database with one tenant, warms its route, then calls the view
function directly (RequestFactory) and prints mean / p50 / p99 wall time per request in
milliseconds, and the request thread's own CPU time (steadier on a busy machine), for three
rounds. Each call carries its own call id (so its routing decision is parked for
the calls app) unless `--no-call-id`. The database named by CACHE_URL is emptied.
"""

import gc
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
_DB = os.path.join(tempfile.gettempdir(), "portal_view_timing.sqlite3")
os.environ["DATABASE_URL"] = f"sqlite:///{_DB}"


def main(requests: int = 3000, rounds: int = 3, call_ids: bool = True) -> None:
    import django

    if os.path.exists(_DB):
        os.remove(_DB)
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import RequestFactory

    call_command("migrate", verbosity=0)
    from portal.tests.factories import AppUserFactory, ProjectFactory, VirtualNumberFactory
    from portal.webhooks.local_copies import local_copies
    from routing.tests.factories import RoutingRuleFactory
    from routing.webhooks import answer_url

    cache.clear()
    project = ProjectFactory()
    number = VirtualNumberFactory(project=project, number="+84899100001")
    agent = AppUserFactory(project=project, user_id="agent")
    for priority in range(5):
        RoutingRuleFactory(
            project=project,
            priority=priority,
            called_kind="pattern",
            called_pattern=f"^9{priority}",
        )
    RoutingRuleFactory(
        project=project,
        priority=50,
        called_kind="number",
        called_number=number,
        destination_user=agent,
    )
    factory = RequestFactory()
    sid, token = project.stringee_project_id, project.webhook_token
    path = f"/answer_url/{sid}/{token}/"

    def request(n):
        params = {"from": "84901234567", "to": "84899100001", "fromInternal": "false"}
        if call_ids:  # each call parks its routing decision under its own id
            params["uuid"] = f"t-{n}"
        return factory.get(path, params)

    answer_url(request(0), sid, token)
    deadline = time.monotonic() + 5
    while not getattr(local_copies, "_listening", True) and time.monotonic() < deadline:
        time.sleep(0.01)
    for n in range(200):  # warm: shared cache and this process's copy
        assert answer_url(request(n), sid, token).status_code == 200
    print(f"cache backend: {settings.CACHES['default']['BACKEND']}, call ids: {call_ids}")
    gc.collect()  # the migrations' garbage would otherwise be collected inside the timed calls
    gc.freeze()
    means = []
    for r in range(rounds):
        reqs = [request(100_000 * (r + 1) + n) for n in range(requests)]
        times, cpu = [], 0.0
        for req in reqs:
            start, start_cpu = time.perf_counter(), time.thread_time()
            response = answer_url(req, sid, token)
            if hasattr(response, "render"):  # a DRF response is rendered by Django's handler
                response.render()
            cpu += time.thread_time() - start_cpu
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        times.sort()
        mean = statistics.fmean(times) * 1000
        means.append(mean)
        print(
            f"round {r + 1}: {requests} warm requests, mean {mean:.4f} ms, "
            f"p50 {times[len(times) // 2] * 1000:.4f} ms, p99 "
            f"{times[int(len(times) * 0.99)] * 1000:.4f} ms, "
            f"CPU of the request thread {cpu / requests * 1000:.4f} ms"
        )
    print(f"median of round means: {statistics.median(means):.4f} ms")
    cache.clear()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 3000, call_ids="--no-call-id" not in sys.argv)
