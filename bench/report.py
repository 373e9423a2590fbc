"""Turn the bench's raw results into figures, ratios, goal verdicts and the BENCHMARKS.md text.

Pure functions over the JSON-able results dict that `bench.measure` collects, so the
arithmetic is tested without a server.
"""

from statistics import median

from bench.workload import (
    ANSWER,
    BASELINE,
    BASELINE_DRF,
    EVENT,
    EVENT_LONG,
    FLOOR_ANSWER,
    FLOOR_EVENT,
    LONG_CALL_EVENTS,
    PEER_ANSWER,
)

ENDPOINTS = (
    BASELINE,
    BASELINE_DRF,
    FLOOR_ANSWER,
    PEER_ANSWER,
    ANSWER,
    FLOOR_EVENT,
    EVENT,
    EVENT_LONG,
)
Summary = dict[tuple[str, int], dict]


def summarise(runs: list[dict]) -> Summary:
    """Median req/s, p50 and p99 over the rounds, per (endpoint, concurrency); counts summed."""
    grouped: dict[tuple[str, int], list[dict]] = {}
    for run in runs:
        grouped.setdefault((run["endpoint"], run["concurrency"]), []).append(run)
    return {
        key: {
            "rps": median(r["rps"] for r in group),
            "p50_ms": median(r["p50_ms"] for r in group),
            "p99_ms": median(r["p99_ms"] for r in group),
            "sent": sum(r["sent"] for r in group),
            "ok": sum(r["ok"] for r in group),
            "errors": sum(r["errors"] for r in group),
            "rounds": len(group),
        }
        for key, group in grouped.items()
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def ratios(summary: Summary) -> dict[int, dict[str, float | None]]:
    """Per concurrency: answer and event throughput over the Django baseline's, answer p99 over its
    p99, and the answer_url's throughput and p99 over the DRF baseline's (None where not
    measured)."""
    out = {}
    for concurrency in sorted(c for endpoint, c in summary if endpoint == BASELINE):
        base = summary[(BASELINE, concurrency)]
        drf = summary.get((BASELINE_DRF, concurrency), {})
        answer = summary.get((ANSWER, concurrency), {})
        event = summary.get((EVENT, concurrency), {})
        long_calls = summary.get((EVENT_LONG, concurrency), {})
        out[concurrency] = {
            "answer_rps": ratio(answer.get("rps"), base["rps"]),
            "answer_p99": ratio(answer.get("p99_ms"), base["p99_ms"]),
            "answer_drf_rps": ratio(answer.get("rps"), drf.get("rps")),
            "answer_drf_p99": ratio(answer.get("p99_ms"), drf.get("p99_ms")),
            "drf_rps": ratio(drf.get("rps"), base["rps"]),
            "event_rps": ratio(event.get("rps"), base["rps"]),
            # cost per event of a long call over a short call's: the inverse of their req/s
            "long_call_cost": ratio(event.get("rps"), long_calls.get("rps")),
        }
    return out


def floor_ratios(summary: Summary) -> dict[int, dict[str, float | None]]:
    """Per concurrency where a floor or the peer was measured: the answer_url's throughput and p99
    over floor_answer's, its throughput over peer_answer's, the event_url's over floor_event's."""
    out = {}
    levels = {c for endpoint, c in summary if endpoint in (FLOOR_ANSWER, PEER_ANSWER, FLOOR_EVENT)}
    for concurrency in sorted(levels):
        floor = summary.get((FLOOR_ANSWER, concurrency), {})
        peer = summary.get((PEER_ANSWER, concurrency), {})
        answer = summary.get((ANSWER, concurrency), {})
        floor_event = summary.get((FLOOR_EVENT, concurrency), {})
        event = summary.get((EVENT, concurrency), {})
        out[concurrency] = {
            "answer_floor_rps": ratio(answer.get("rps"), floor.get("rps")),
            "answer_floor_p99": ratio(answer.get("p99_ms"), floor.get("p99_ms")),
            "answer_peer_rps": ratio(answer.get("rps"), peer.get("rps")),
            "event_floor_rps": ratio(event.get("rps"), floor_event.get("rps")),
        }
    return out


def large_over_small(small: Summary, large: Summary) -> dict[int, dict[str, float | None]]:
    """Per concurrency: the answer_url's p50 and p99 at the large size over the small size."""
    out = {}
    for concurrency in sorted(c for endpoint, c in small if endpoint == ANSWER):
        if (ANSWER, concurrency) in large:
            s, g = small[(ANSWER, concurrency)], large[(ANSWER, concurrency)]
            out[concurrency] = {
                "p50": ratio(g["p50_ms"], s["p50_ms"]),
                "p99": ratio(g["p99_ms"], s["p99_ms"]),
            }
    return out


def _ratio_goal(goal: str, values: list[tuple[str, float]], limit: float, at_most: bool) -> tuple:
    if not values:
        return (goal, None, "not measured")
    met = all((v <= limit) if at_most else (v >= limit) for _, v in values)
    where, worst = (max if at_most else min)(values, key=lambda x: x[1])
    return (goal, met, f"worst {worst:.2f}× ({where})")


def goals(results: dict) -> list[tuple[str, bool | None, str]]:
    """(goal, met?, figures) for each goal of the issue; met is None when it was not measured."""
    per_size = {name: summarise(size["runs"]) for name, size in results["sizes"].items()}
    found = [(f"{name}, c={c}", r) for name, s in per_size.items() for c, r in ratios(s).items()]
    found += [
        (f"{name}, c={c}", r) for name, s in per_size.items() for c, r in floor_ratios(s).items()
    ]

    def values(key: str) -> list[tuple[str, float]]:
        return [(where, r[key]) for where, r in found if r.get(key) is not None]

    verdicts = [
        _ratio_goal(
            "answer_url throughput ≥ 0.8× DRF baseline",
            values("answer_drf_rps"),
            0.8,
            at_most=False,
        ),
        _ratio_goal(
            "answer_url throughput ≥ 0.6× Django baseline", values("answer_rps"), 0.6, at_most=False
        ),
        _ratio_goal("answer_url p99 ≤ 2× baseline p99", values("answer_p99"), 2.0, at_most=True),
        _ratio_goal(
            "event_url throughput ≥ 0.5× baseline", values("event_rps"), 0.5, at_most=False
        ),
        _ratio_goal(
            f"cost per event, {LONG_CALL_EVENTS}-event calls over 4-event calls ≤ 1.2×",
            values("long_call_cost"),
            1.2,
            at_most=True,
        ),
    ]
    verdicts += [
        _ratio_goal(
            "answer_url throughput ≥ 0.8× floor_answer",
            values("answer_floor_rps"),
            0.8,
            at_most=False,
        ),
        _ratio_goal(
            "answer_url p99 ≤ 1.5× floor_answer p99", values("answer_floor_p99"), 1.5, at_most=True
        ),
        _ratio_goal(
            "answer_url throughput ≥ 2× peer_answer", values("answer_peer_rps"), 2.0, at_most=False
        ),
        _ratio_goal(
            "event_url events/s ≥ 0.8× floor_event", values("event_floor_rps"), 0.8, at_most=False
        ),
    ]
    if "small" in per_size and "large" in per_size:
        los = large_over_small(per_size["small"], per_size["large"]).items()
        p50 = [(f"c={c}", r["p50"]) for c, r in los if r["p50"] is not None]
        verdicts.append(
            _ratio_goal("answer_url latency large/small ≤ 1.2× (p50)", p50, 1.2, at_most=True)
        )
    verdicts += _memory_goal(results)
    checks = [size["event_check"] for size in results["sizes"].values() if size.get("event_check")]
    if checks:
        sent, ok, stored = (sum(check[key] for check in checks) for key in ("sent", "ok", "stored"))
        figures = f"sent {sent:,}, 2xx {ok:,}, stored {stored:,}"
        verdicts.append(("every event stored (sent = stored)", sent == ok == stored, figures))
    answer = [
        q
        for size in results["sizes"].values()
        for q in size["queries"]
        if q["label"].startswith(ANSWER)
    ]
    if answer:
        cold = max((q["queries"] for q in answer if q["label"].endswith("cold")), default=0)
        warm = max((q["queries"] for q in answer if q["label"].endswith("warm")), default=0)
        verdicts.append(
            (
                "answer_url ≤ 2 SQL queries cold, 0 warm",
                cold <= 2 and warm == 0,
                f"cold {cold}, warm {warm}",
            )
        )
    return verdicts


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def _section(title: str, intro: list[str], header: list[str], rows: list[list]) -> list[str]:
    return [f"## {title}", "", *intro, "", *_table(header, rows), ""]


def _intro(results: dict) -> list[str]:
    s = results["settings"]
    minutes = results["seconds"] / 60
    lines = [
        "# Benchmarks: answer_url and event_url under load",
        "",
        "Figures of one run of the bench harness (`bench/`, see the README), measured against the",
        "stack's own limits, two views that return a "
        "constant SCCO with no database or cache access,",
        "served by the same gunicorn, settings and "
        "middleware: the **baseline** is a bare Django view,",
        "the **baseline_drf** a DRF view with the "
        "answer_url's own lean settings (so answer_url over",
        "it is the cost of routing alone). Ratios matter "
        "more than absolute figures, which drift on a",
        "shared machine. Both baselines take the webhooks' middleware path (without the",
        "session, authentication, audit and messages middleware that serve staff pages), and so",
        "do the **floors** (floor_answer: a constant decision parked in Redis as the answer_url",
        "parks it, then a constant SCCO; floor_event: the raw body stored by one autocommit",
        "INSERT) and the **peer** (peer_answer: the answer_url as people write it by hand, two",
        "database reads per call), see bench/floors.py.",
        "",
        f"Command: `{results['command']}`, finished "
        f"{results['finished']}, {minutes:.1f} min end to end.",
        "",
        "## Machine",
        "",
        *_table(["", ""], [[key, value] for key, value in results["machine"].items()]),
        "",
        f"Load: {s['tool']} against {s['workers']} gunicorn sync workers (= cores) on loopback;"
        f" concurrency {', '.join(map(str, s['concurrency']))}; "
        f"each run bounded by {s['seconds']:g} s and"
        f" {s['budget']:,} requests; {s['rounds']} interleaved "
        f"rounds ({', '.join(ENDPOINTS)} at each level, in that order), figures are the"
        " medians over the rounds. Before the measured runs, one"
        " pass over each endpoint's request mix warms every driven tenant's cache (three"
        " passes for the answer_url, last, so that both workers hold each tenant's routing).",
        "",
    ]
    lines += [f"> {note}" for note in results.get("notes", [])]
    return lines + ([""] if results.get("notes") else [])


def _goal_lines(results: dict) -> list[str]:
    rows = [
        [goal, "yes" if met else "not measured" if met is None else "**no**", figures]
        for goal, met, figures in goals(results)
    ]
    return ["## Goals", "", *_table(["goal", "met", "figures"], rows), ""]


def _load_lines(per_size: dict[str, Summary]) -> list[str]:
    rows = []
    for name, summary in per_size.items():
        for (endpoint, c), r in sorted(
            summary.items(), key=lambda kv: (kv[0][1], ENDPOINTS.index(kv[0][0]))
        ):
            rows.append(
                [
                    name,
                    c,
                    endpoint,
                    _fmt(r["rps"], 0),
                    _fmt(r["p50_ms"]),
                    _fmt(r["p99_ms"]),
                    f"{r['ok']:,} / {r['sent']:,}",
                ]
            )
    ratio_rows = [
        [
            name,
            c,
            _fmt(r["answer_drf_rps"]),
            _fmt(r["answer_rps"]),
            _fmt(r["answer_drf_p99"]),
            _fmt(r["answer_p99"]),
            _fmt(r["drf_rps"]),
            _fmt(r["event_rps"]),
            _fmt(r["long_call_cost"]),
        ]
        for name, summary in per_size.items()
        for c, r in ratios(summary).items()
    ]
    lines = ["## Throughput and latency", ""]
    lines += _table(
        ["size", "concurrency", "endpoint", "req/s", "p50 ms", "p99 ms", "2xx / sent"], rows
    )
    lines += ["", "## Ratios", ""]
    lines += _table(
        [
            "size",
            "concurrency",
            "answer/DRF baseline req/s",
            "answer/Django baseline req/s",
            "answer/DRF baseline p99",
            "answer/Django baseline p99",
            "DRF/Django baseline req/s",
            "event/Django baseline req/s",
            f"cost per event, {LONG_CALL_EVENTS}-event calls / 4-event calls",
        ],
        ratio_rows,
    )
    floor_rows = [
        [
            name,
            c,
            _fmt(r["answer_floor_rps"]),
            _fmt(r["answer_floor_p99"]),
            _fmt(r["answer_peer_rps"]),
            _fmt(r["event_floor_rps"]),
        ]
        for name, summary in per_size.items()
        for c, r in floor_ratios(summary).items()
    ]
    if floor_rows:
        lines += ["", "## Against the floors and the peer", ""]
        lines += [
            "floor_answer parks a constant decision in Redis as the answer_url does and replies",
            "with a constant SCCO; floor_event stores the raw body with one autocommit INSERT into",
            "an indexed table; peer_answer is an answer_url written by hand as Stringee's samples",
            "are (the called number's owner and its first rule read from the database on every",
            "call). Goals: answer_url ≥ 0.8× floor_answer req/s and p99 ≤ 1.5× its p99, ≥ 2×",
            "peer_answer req/s; event_url ≥ 0.8× floor_event events/s.",
            "",
        ]
        lines += _table(
            [
                "size",
                "concurrency",
                "answer/floor_answer req/s",
                "answer/floor_answer p99",
                "answer/peer_answer req/s",
                "event/floor_event events/s",
            ],
            floor_rows,
        )
    if "small" in per_size and "large" in per_size:
        los = large_over_small(per_size["small"], per_size["large"])
        lines += ["", "answer_url latency, large over small:", ""]
        lines += _table(
            ["concurrency", "p50", "p99"],
            [[c, _fmt(r["p50"]), _fmt(r["p99"])] for c, r in los.items()],
        )
    return [*lines, ""]


def _query_lines(results: dict) -> list[str]:
    rows = [
        [
            name,
            q["label"],
            q["queries"],
            q["status"],
            "`" + q["sample"].replace("|", "\\|").replace("\n", " ")[:70] + "`",
        ]
        for name, size in results["sizes"].items()
        for q in size["queries"]
    ]
    intro = [
        "Counted in-process with `CaptureQueriesContext` "
        "against the real views; cold = cache just emptied."
    ]
    return _section(
        "SQL queries per request",
        intro,
        ["size", "request", "queries", "status", "response starts"],
        rows,
    )


def _event_lines(results: dict) -> list[str]:
    rows = []
    for name, size in results["sizes"].items():
        runs = [r for r in size["runs"] if r["endpoint"] in (EVENT, EVENT_LONG)]
        if runs:
            sent, ok, stored = (sum(r[key] or 0 for r in runs) for key in ("sent", "ok", "stored"))
            rows.append([name, "load runs (wrk)", f"{sent:,}", f"{ok:,}", f"{stored:,}"])
        floor = [r for r in size["runs"] if r["endpoint"] == FLOOR_EVENT]
        if floor:
            sent, ok, stored = (sum(r[key] or 0 for r in floor) for key in ("sent", "ok", "stored"))
            rows.append([name, "floor_event load runs", f"{sent:,}", f"{ok:,}", f"{stored:,}"])
        check = size.get("event_check")
        if check:
            rows.append(
                [
                    name,
                    f"exact check, c={check['concurrency']}",
                    f"{check['sent']:,}",
                    f"{check['ok']:,}",
                    f"{check['stored']:,}",
                ]
            )
    if not rows:
        return []
    intro = [
        "Rows of `calls.CallEvent` counted after each "
        "run. wrk abandons the requests still in flight",
        "when its time is up, so in the load runs up to `concurrency` events per run can be stored",
        "with no 2xx read; the exact check after them uses the Python client, which finishes every",
        "request it starts.",
    ]
    return _section(
        "Events: sent = stored", intro, ["size", "run", "sent", "2xx", "stored rows"], rows
    )


MEMORY_LIMIT = 1.5  # the largest web worker's resident size, large data set over small


def largest_worker_kib(size: dict) -> int | None:
    """The largest web worker's resident size after the load runs (KiB), if it was measured."""
    sizes = size.get("memory", {}).get("after_runs_kib") or []
    return max(sizes) if sizes else None


def _memory_goal(results: dict) -> list[tuple[str, bool | None, str]]:
    goal = f"web worker's resident size, large ≤ {MEMORY_LIMIT}× small"
    sizes = results["sizes"]
    small = largest_worker_kib(sizes["small"]) if "small" in sizes else None
    large = largest_worker_kib(sizes["large"]) if "large" in sizes else None
    if small is None or large is None:
        return [(goal, None, "not measured")] if small or large else []
    figures = f"{large / 1024:.0f} MiB over {small / 1024:.0f} MiB = {large / small:.2f}×"
    return [(goal, large <= MEMORY_LIMIT * small, figures)]


def _memory_lines(results: dict) -> list[str]:
    rows = []
    for name, size in results["sizes"].items():
        memory = size.get("memory")
        if not memory:
            continue
        cells = [
            ", ".join(f"{kib / 1024:.0f}" for kib in memory.get(when) or []) or "–"
            for when in ("after_warmup_kib", "after_runs_kib")
        ]
        rows.append([name, f"{size['tenants']:,}", *cells])
    if not rows:
        return []
    intro = [
        "Resident size (VmRSS) of each gunicorn web worker, in MiB: after the warm-up pass over",
        "every driven tenant, and after all the load runs (every tenant served by both workers",
        "many times). A worker's copies of the routing weigh at most ROUTING_LOCAL_MAX_ROWS",
        "routing rows (docs/deploy.md).",
    ]
    header = ["size", "tenants driven", "after the warm-up", "after the load runs"]
    return _section("Web worker memory", intro, header, rows)


def _data_lines(results: dict) -> list[str]:
    rows = []
    for name, size in results["sizes"].items():
        c = size["counts"]
        counted = [f"{c[key]:,}" for key in ("projects", "numbers", "app_users", "rules")]
        rows.append([name, *counted, f"{size['generate_seconds']:.1f} s", f"{size['tenants']:,}"])
    header = ["size", "projects", "numbers", "app users", "rules", "generated in", "tenants driven"]
    return ["## Data", "", *_table(header, rows)]


ANALYSIS_MARKER = (
    "<!-- Written by hand below this line; the bench keeps it when it rewrites the figures. -->"
)


def keep_analysis(previous: str, generated: str) -> str:
    """`generated` followed by the hand-written part of `previous` (from ANALYSIS_MARKER on)."""
    start = previous.find(ANALYSIS_MARKER)
    if start < 0:
        return generated
    return generated.rstrip("\n") + "\n\n" + previous[start:]


def markdown(results: dict) -> str:
    """The BENCHMARKS.md text for `results`."""
    per_size = {name: summarise(size["runs"]) for name, size in results["sizes"].items()}
    lines = _intro(results) + _goal_lines(results) + _load_lines(per_size)
    lines += _query_lines(results) + _event_lines(results) + _memory_lines(results)
    lines += _data_lines(results)
    return "\n".join(lines) + "\n"
