"""`python -m bench.faults`: the portal under gunicorn while its PostgreSQL or Redis is stopped or
hung, on a throw-away stack (portal/devtools/stack.py), and a rule change made through one
instance seen by another.

For each fault it sends answer_url (warm), event_url and API requests before, during and after
the fault and prints what they got (the answer_url to each instance's call-setup server, as
`make serve` runs it; `--call-setup-workers 0` for one shared server); it checks what the
resilience goals promise: warm routing keeps answering, failures are 503 (never 500), every
acknowledged event is stored, and the portal recovers without a restart. Then it measures call
setup beside other traffic (events and API requests back to back), without a fault and with
PostgreSQL hung. `--json FILE` writes the figures for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

import jwt
import psycopg

from portal.devtools.stack import Stack

PROBES = 12
# No warm answer_url may wait longer than this, whatever is down (a hung Redis costs one socket
# timeout, a hung PostgreSQL one routing deadline, each once per worker before it stops asking).
ANSWER_MAX_MS = 1000
_call_ids = itertools.count(1)


@dataclass
class Probe:
    """What one endpoint answered during one phase: status counts and latencies."""

    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    acknowledged_events: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "statuses": dict(sorted(self.statuses.items())),
            "p50_ms": round(statistics.median(self.latencies_ms), 1),
            "max_ms": round(max(self.latencies_ms), 1),
        }


def _send(request: urllib.request.Request, timeout: float = 30) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            reply.read()
            status = reply.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        status = 0  # no answer at all
    return status, (time.perf_counter() - started) * 1000


class Client:
    """The three kinds of callers of one instance: Stringee's two webhooks and a program."""

    def __init__(self, base_url: str, demo: dict, call_setup_url: str | None = None):
        self.base_url = base_url
        self.call_setup_url = call_setup_url or base_url
        self.demo = demo
        project, token = demo["projectId"], demo["webhookToken"]
        self.answer_path = f"/answer_url/{project}/{token}/"
        self.event_path = f"/event_url/{project}/{token}/"
        samples = demo["samples"]
        self.caller = samples["phone_number_2"].lstrip("+")
        self.called = samples["phone_number_1"].lstrip("+")

    def answer(self, called: str | None = None) -> tuple[int, float, bytes]:
        query = f"from={self.caller}&to={called or self.called}&fromInternal=false&uuid=u1"
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(
                f"{self.call_setup_url}{self.answer_path}?{query}", timeout=30
            ) as reply:
                return reply.status, (time.perf_counter() - started) * 1000, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, (time.perf_counter() - started) * 1000, error.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            return 0, (time.perf_counter() - started) * 1000, b""

    def event(self) -> tuple[int, float, str]:
        call_id = f"fault-{next(_call_ids)}"
        body = {
            "call_status": "created",
            "project_id": self.demo["projectId"],
            "call_id": call_id,
            "timestamp_ms": int(time.time() * 1000),
            "type": "stringee_call",
            "from": {"number": self.caller, "alias": self.caller, "type": "external"},
            "to": {"number": self.called, "alias": self.called, "type": "external"},
        }
        request = urllib.request.Request(
            f"{self.base_url}{self.event_path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        status, latency = _send(request)
        return status, latency, call_id

    def api(
        self, method: str = "GET", path: str = "/api/v1/rules/", body=None
    ) -> tuple[int, float]:
        return self._api(method, path, body)[:2]

    def _api(self, method: str, path: str, body=None) -> tuple[int, float, dict]:
        now = int(time.time())
        token = jwt.encode(
            {
                "jti": f"fault-{next(_call_ids)}-{now}",
                "iss": self.demo["apiKeySid"],
                "exp": now + 300,
                "rest_api": True,
            },
            self.demo["apiKeySecret"],
            algorithm="HS256",
            headers={"cty": "stringee-api;v=1"},
        )
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers={"X-STRINGEE-AUTH": token, "Content-Type": "application/json"},
            method=method,
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                payload = json.loads(reply.read() or b"{}")
                return reply.status, (time.perf_counter() - started) * 1000, payload
        except urllib.error.HTTPError as error:
            return error.code, (time.perf_counter() - started) * 1000, {}
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            return 0, (time.perf_counter() - started) * 1000, {}

    def probe(self) -> dict[str, Probe]:
        """PROBES requests to each endpoint, one after another."""
        probes = {"answer_url": Probe(), "event_url": Probe(), "api": Probe()}
        for _ in range(PROBES):
            status, latency, _body = self.answer()
            probes["answer_url"].statuses[status] += 1
            probes["answer_url"].latencies_ms.append(latency)
            status, latency, call_id = self.event()
            probes["event_url"].statuses[status] += 1
            probes["event_url"].latencies_ms.append(latency)
            if 200 <= status < 300:
                probes["event_url"].acknowledged_events.append(call_id)
            status, latency = self.api()
            probes["api"].statuses[status] += 1
            probes["api"].latencies_ms.append(latency)
        return probes


def _until_healthy(client: Client, seconds: float = 20) -> float:
    """Seconds until the event_url and the API answer 2xx again."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if 200 <= client.event()[0] < 300 and 200 <= client.api()[0] < 300:
            return time.monotonic() - started
        time.sleep(0.1)
    return float("inf")


# How long each worker keeps its own routing copy in this run: short, so that the sequences below
# can wait for the copies to expire (the promise holds for any value).
LOCAL_SECONDS = 2


class Faults:
    """The faults this run can cause, each a (break it, mend it) pair, and the mishaps between
    them that leave the workers' routing copies at their weakest."""

    def __init__(self, stack: Stack, client: Client):
        self.stack, self.client = stack, client
        self._frozen: list[int] = []
        self.pairs = {
            "Redis stopped": (stack.redis.stop, stack.redis.start),
            "Redis hung": (stack.redis.freeze, stack.redis.thaw),
            "PostgreSQL stopped": (stack.postgres.stop, stack.postgres.start),
            "PostgreSQL hung": (self._freeze_postgres, self._thaw_postgres),
            "Redis and PostgreSQL stopped": (self._stop_both, self._start_both),
        }
        for name in ("PostgreSQL stopped", "PostgreSQL hung", "Redis and PostgreSQL stopped"):
            break_it, mend_it = self.pairs[name]
            self.pairs[f"{name} {AFTER_RESTART}"] = (self._after_restart(break_it), mend_it)

    def _after_restart(self, break_it):
        def restart_then_break() -> None:
            self.redis_restarted_and_copies_expired()
            break_it()

        return restart_then_break

    def _freeze_postgres(self) -> None:
        self._frozen[:] = self.stack.postgres.freeze()

    def _thaw_postgres(self) -> None:
        self.stack.postgres.thaw(self._frozen)

    def _stop_both(self) -> None:
        self.stack.redis.stop()
        self.stack.postgres.stop()

    def _start_both(self) -> None:
        self.stack.postgres.start()
        self.stack.redis.start()

    def redis_restarted_and_copies_expired(self) -> None:
        """Redis restarts empty (no persistence), an event caches its project without the table,
        and every worker's own copy expires: the next answer_url has nothing warm but its last
        good copy."""
        self.stack.redis.stop()
        self.stack.redis.start()
        time.sleep(1.5)  # the workers' listeners resubscribe (and drop their copies)
        self.client.event()
        time.sleep(LOCAL_SECONDS + 0.5)


AFTER_RESTART = "after a Redis restart, copies expired"
# The orders faults come in, one sequence after another on the same stack.
SEQUENCES: dict[str, list[str]] = {
    "Redis first": ["Redis stopped", "Redis hung", "PostgreSQL stopped", "PostgreSQL hung"],
    "PostgreSQL first": ["PostgreSQL hung", "PostgreSQL stopped", "Redis hung", "Redis stopped"],
    "after a Redis restart": [
        f"PostgreSQL stopped {AFTER_RESTART}",
        f"PostgreSQL hung {AFTER_RESTART}",
        f"Redis and PostgreSQL stopped {AFTER_RESTART}",
    ],
}


def run_faults(stack: Stack, sequences: dict[str, list[str]] = SEQUENCES) -> dict:
    """Every sequence of faults, one after another on the same stack; what each endpoint
    answered before, during and after each fault, and whether any acknowledged event was lost."""
    client = Client(stack.servers[0].base_url, stack.demo, stack.call_setup_url(0))
    client.probe()  # warm every worker's routing copy
    faults = Faults(stack, client)
    results: dict = {"runs": []}
    acknowledged: list[str] = []
    for sequence, steps in sequences.items():
        for step in steps:
            print(f"== {sequence}: {step}", flush=True)
            run = _one_fault(client, *faults.pairs[step])
            for probes in run.pop("probes"):
                acknowledged += probes["event_url"].acknowledged_events
            results["runs"].append({"sequence": sequence, "fault": step, **run})
    print("== call setup beside other traffic", flush=True)
    beside = call_setup_beside_traffic(client, faults)
    acknowledged += beside.pop("acknowledged_events")
    results["beside_traffic"] = {"own_workers": bool(stack.call_setup_servers), **beside}
    with psycopg.connect(stack.postgres.url) as connection:
        stored = {
            row[0]
            for row in connection.execute(
                "SELECT call_id FROM calls_callevent WHERE call_id LIKE 'fault-%%'"
            )
        }
    lost = sorted(set(acknowledged) - stored)
    results["events"] = {"acknowledged": len(acknowledged), "lost": len(lost)}
    print(f"== events acknowledged {len(acknowledged)}, lost {len(lost)}", flush=True)
    return results


def _one_fault(client: Client, break_it, mend_it) -> dict:
    before = client.probe()
    break_it()
    time.sleep(0.5)
    during = client.probe()
    mend_it()
    recovery = _until_healthy(client)
    after = client.probe()
    phases = {"before": before, "during": during, "after": after}
    for phase, probes in phases.items():
        line = "  ".join(
            f"{endpoint} {dict(probe.statuses)} p50 {probe.as_dict()['p50_ms']} ms "
            f"max {probe.as_dict()['max_ms']} ms"
            for endpoint, probe in probes.items()
        )
        print(f"  {phase:6} {line}", flush=True)
    print(f"  recovered after {recovery:.2f} s", flush=True)
    return {
        "phases": {
            phase: {endpoint: probe.as_dict() for endpoint, probe in probes.items()}
            for phase, probes in phases.items()
        },
        "recovery_s": round(recovery, 2),
        "probes": list(phases.values()),
    }


# Call setup beside other traffic: answer_url probes, one after another, while a few threads send
# event_url and API requests without pause; first with nothing broken, then with PostgreSQL hung
# (every event and API request then holds its worker up to its deadline).
BESIDE_PROBES = 300
TRAFFIC_SENDERS = {"event_url": 3, "api": 2}
# The answer_url's p99 with PostgreSQL hung may be at most this many times its p99 without it.
BESIDE_MAX_RATIO = 2.0


class Traffic:
    """Event and API requests sent back to back by a few threads, from start() until stop()."""

    def __init__(self, client: Client):
        self.client = client
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.answered: Counter = Counter()
        self.acknowledged_events: list[str] = []
        self.threads = [
            threading.Thread(target=self._send, args=(kind,), daemon=True)
            for kind, senders in TRAFFIC_SENDERS.items()
            for _ in range(senders)
        ]

    def _send(self, kind: str) -> None:
        while not self.stopping.is_set():
            call_id = None
            if kind == "event_url":
                status, _latency, call_id = self.client.event()
            else:
                status, _latency = self.client.api()
            with self.lock:
                self.answered[f"{kind} {status}"] += 1
                if call_id and 200 <= status < 300:
                    self.acknowledged_events.append(call_id)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


def call_setup_beside_traffic(client: Client, faults: Faults) -> dict:
    """The answer_url's latency while events and API requests keep the other workers busy:
    without a fault, then with PostgreSQL hung; and which events were acknowledged meanwhile."""
    figures: dict = {}
    acknowledged: list[str] = []
    phases = {"no fault": (None, None), "PostgreSQL hung": faults.pairs["PostgreSQL hung"]}
    for phase, (break_it, mend_it) in phases.items():
        traffic = Traffic(client)
        if break_it:
            break_it()
        traffic.start()
        time.sleep(0.5)  # the senders fill the other workers
        probe = Probe()
        for _ in range(BESIDE_PROBES):
            status, latency, _body = client.answer()
            probe.statuses[status] += 1
            probe.latencies_ms.append(latency)
        if mend_it:
            mend_it()
        traffic.stop()
        _until_healthy(client)
        acknowledged += traffic.acknowledged_events
        p99 = statistics.quantiles(probe.latencies_ms, n=100)[98]
        figures[phase] = {
            "answer_url": {**probe.as_dict(), "p99_ms": round(p99, 1)},
            "traffic": dict(sorted(traffic.answered.items())),
        }
        print(
            f"== call setup beside traffic, {phase}: answer_url {dict(probe.statuses)} "
            f"p50 {figures[phase]['answer_url']['p50_ms']} ms p99 {p99:.1f} ms "
            f"max {figures[phase]['answer_url']['max_ms']} ms; traffic {figures[phase]['traffic']}",
            flush=True,
        )
    figures["acknowledged_events"] = acknowledged
    return figures


def propagation(stack: Stack, changes: int = 5) -> dict:
    """Seconds from a rule change answered by instance A's API to instance B's answer_url
    routing by the new rule; measured again after Redis restarts."""
    writer = Client(stack.servers[0].base_url, stack.demo, stack.call_setup_url(0))
    reader = Client(stack.servers[1].base_url, stack.demo, stack.call_setup_url(1))
    for _ in range(4):
        reader.answer()  # B's workers hold their routing copies
    delays: dict[str, list[float]] = {"steady": [], "after Redis restart": []}
    for label in delays:
        if label == "after Redis restart":
            stack.redis.stop()
            stack.redis.start()
        for index in range(changes):
            text = f"Rule change {label} {index}"
            status, _latency, created = writer._api(
                "POST",
                "/api/v1/rules/",
                {"name": text, "priority": 0, "destination_kind": "message", "message_text": text},
            )
            if status != 201:
                raise RuntimeError(f"instance A refused the rule change ({status})")
            changed = time.monotonic()
            while text.encode() not in reader.answer()[2]:
                if time.monotonic() - changed > 30:
                    raise RuntimeError(f"instance B never served “{text}”")
            delays[label].append((time.monotonic() - changed) * 1000)
            writer._api("DELETE", f"/api/v1/rules/{created['id']}/")
    figures = {
        label: {"changes": len(values), "max_ms": round(max(values), 1)}
        for label, values in delays.items()
    }
    print(f"== rule change seen by the other instance: {figures}", flush=True)
    return figures


def verdicts(faults: dict) -> list[str]:
    """The promises the figures break (empty: all kept)."""
    broken = []
    beside = faults.get("beside_traffic")
    if beside:
        calm, hung = beside["no fault"]["answer_url"], beside["PostgreSQL hung"]["answer_url"]
        for phase, figures in (("no fault", calm), ("PostgreSQL hung", hung)):
            if set(figures["statuses"]) != {200}:
                broken.append(f"beside traffic, {phase}: answer_url answered {figures['statuses']}")
        if hung["p99_ms"] > BESIDE_MAX_RATIO * calm["p99_ms"]:
            broken.append(
                f"beside traffic: answer_url p99 {hung['p99_ms']} ms with PostgreSQL hung, more "
                f"than {BESIDE_MAX_RATIO:g}x its {calm['p99_ms']} ms without"
            )
    if faults["events"]["lost"]:
        broken.append(f"{faults['events']['lost']} acknowledged events were not stored")
    for run in faults["runs"]:
        name = f"{run['sequence']}: {run['fault']}"
        during = run["phases"]["during"]
        if set(during["answer_url"]["statuses"]) != {200}:
            broken.append(f"{name}: warm answer_url answered {during['answer_url']['statuses']}")
        if during["answer_url"]["max_ms"] > ANSWER_MAX_MS:
            broken.append(f"{name}: warm answer_url took {during['answer_url']['max_ms']} ms")
        for endpoint in ("event_url", "api"):
            statuses = set(during[endpoint]["statuses"])
            if statuses - {200, 201, 503}:
                broken.append(f"{name}: {endpoint} answered {during[endpoint]['statuses']}")
        if "PostgreSQL" in name and during["event_url"]["max_ms"] > 2500:
            broken.append(f"{name}: event_url took {during['event_url']['max_ms']} ms")
        for endpoint, figures in run["phases"]["after"].items():
            if set(figures["statuses"]) - {200, 201}:
                broken.append(f"{name}: after recovery {endpoint} answered {figures['statuses']}")
    return broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="Write the figures to this file.")
    parser.add_argument(
        "--call-setup-workers",
        type=int,
        default=2,
        help="Workers of each instance's call-setup server, as `make serve` runs it "
        "(0: call setup shares the instance's workers with everything else).",
    )
    options = parser.parse_args(argv)
    with Stack(
        instances=2,
        env={"ROUTING_LOCAL_SECONDS": str(LOCAL_SECONDS)},
        call_setup_workers=options.call_setup_workers,
    ) as stack:
        faults = run_faults(stack)
        spread = propagation(stack)
    broken = verdicts(faults)
    for line in broken:
        print(f"BROKEN: {line}")
    if options.json:
        with open(options.json, "w") as out:
            json.dump({"faults": faults, "propagation": spread, "broken": broken}, out, indent=2)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
