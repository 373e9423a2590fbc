"""The report turns run figures into the issue's ratios and goal verdicts."""

from bench.report import (
    ANALYSIS_MARKER,
    goals,
    keep_analysis,
    large_over_small,
    markdown,
    summarise,
)
from bench.workload import (
    ANSWER,
    BASELINE,
    BASELINE_DRF,
    EVENT,
    EVENT_LONG,
    FLOOR_ANSWER,
    FLOOR_EVENT,
    PEER_ANSWER,
)


def _run(endpoint, rps, p50=1.0, p99=5.0, concurrency=4, sent=100, ok=100, stored=None):
    return {
        "endpoint": endpoint,
        "concurrency": concurrency,
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "sent": sent,
        "ok": ok,
        "errors": 0,
        "stored": stored,
    }


def _results(runs, event_check=None, queries=()):
    size = {
        "counts": {"projects": 1, "numbers": 10, "app_users": 5, "rules": 10},
        "generate_seconds": 0.1,
        "tenants": 1,
        "queries": list(queries),
        "runs": runs,
        "event_check": event_check,
    }
    return {
        "command": "python -m bench",
        "finished": "today",
        "seconds": 60,
        "machine": {"cores": "2"},
        "settings": {
            "tool": "wrk",
            "workers": 2,
            "concurrency": [4],
            "seconds": 5,
            "budget": 100,
            "rounds": 1,
        },
        "notes": [],
        "sizes": {"small": size},
    }


def _verdict(results, goal_start):
    return next(met for goal, met, _ in goals(results) if goal.startswith(goal_start))


def test_answer_url_below_080_of_the_drf_baseline_throughput_misses_the_goal():
    slow = _results(
        [_run(BASELINE, 1000), _run(BASELINE_DRF, 900), _run(ANSWER, 710), _run(EVENT, 600)]
    )
    fast = _results(
        [_run(BASELINE, 1000), _run(BASELINE_DRF, 900), _run(ANSWER, 730), _run(EVENT, 600)]
    )
    assert _verdict(slow, "answer_url throughput ≥ 0.8× DRF") is False
    assert _verdict(fast, "answer_url throughput ≥ 0.8× DRF") is True


def test_answer_url_below_060_of_the_django_baseline_throughput_misses_the_goal():
    slow = _results([_run(BASELINE, 1000), _run(BASELINE_DRF, 700), _run(ANSWER, 590)])
    fast = _results([_run(BASELINE, 1000), _run(BASELINE_DRF, 700), _run(ANSWER, 610)])
    assert _verdict(slow, "answer_url throughput ≥ 0.6× Django") is False
    assert _verdict(fast, "answer_url throughput ≥ 0.6× Django") is True


def test_the_ratio_table_compares_the_answer_url_with_both_baselines():
    text = markdown(_results([_run(BASELINE, 1000), _run(BASELINE_DRF, 800), _run(ANSWER, 600)]))
    assert "| answer/DRF baseline req/s | answer/Django baseline req/s |" in text
    assert "| small | 4 | 0.75 | 0.60 | 1.00 | 1.00 | 0.80 | – | – |" in text


def test_without_a_drf_baseline_its_goal_is_not_measured():
    results = _results([_run(BASELINE, 1000), _run(ANSWER, 900)])
    assert _verdict(results, "answer_url throughput ≥ 0.8× DRF") is None


def test_answer_url_p99_over_twice_the_baseline_misses_the_goal():
    results = _results([_run(BASELINE, 1000, p99=4.0), _run(ANSWER, 900, p99=8.5)])
    assert _verdict(results, "answer_url p99") is False


def test_rounds_are_summarised_by_their_median():
    runs = [_run(BASELINE, rps) for rps in (100, 900, 300)]
    assert summarise(runs)[(BASELINE, 4)]["rps"] == 300


def test_a_missing_stored_event_fails_the_sent_equals_stored_goal():
    lost = _results(
        [_run(BASELINE, 1000)], event_check={"concurrency": 4, "sent": 50, "ok": 50, "stored": 49}
    )
    kept = _results(
        [_run(BASELINE, 1000)], event_check={"concurrency": 4, "sent": 50, "ok": 50, "stored": 50}
    )
    assert _verdict(lost, "every event stored") is False
    assert _verdict(kept, "every event stored") is True


def test_warm_answer_url_query_fails_the_query_goal():
    queries = [
        {"label": "answer_url phone→app, cold", "queries": 2, "status": 200, "sample": "[]"},
        {"label": "answer_url phone→app, warm", "queries": 1, "status": 200, "sample": "[]"},
    ]
    assert _verdict(_results([_run(BASELINE, 1)], queries=queries), "answer_url ≤ 2 SQL") is False


def test_large_over_small_compares_answer_url_latency_per_concurrency():
    small = summarise([_run(ANSWER, 900, p50=2.0, p99=10.0)])
    large = summarise([_run(ANSWER, 800, p50=3.0, p99=10.0)])
    assert large_over_small(small, large) == {4: {"p50": 1.5, "p99": 1.0}}


def test_an_endpoint_that_was_not_measured_is_reported_as_such():
    text = markdown(_results([_run(BASELINE, 1000)]))
    assert "| event_url throughput ≥ 0.5× baseline | not measured |" in text


def test_rewriting_the_figures_keeps_the_hand_written_analysis():
    previous = f"# old figures\n\n{ANALYSIS_MARKER}\n## Analysis\nwhy it is slow\n"
    text = keep_analysis(previous, "# new figures\n")
    assert text.startswith("# new figures") and "old figures" not in text
    assert text.endswith(f"{ANALYSIS_MARKER}\n## Analysis\nwhy it is slow\n")


def test_events_of_long_calls_costing_over_12_times_those_of_short_calls_miss_the_goal():
    costly = _results([_run(BASELINE, 1000), _run(EVENT, 600), _run(EVENT_LONG, 480)])
    flat = _results([_run(BASELINE, 1000), _run(EVENT, 600), _run(EVENT_LONG, 520)])
    assert _verdict(costly, "cost per event, 50-event calls") is False  # 1.25 times the cost
    assert _verdict(flat, "cost per event, 50-event calls") is True  # 1.15 times
    assert "| small | 4 | – | – | – | – | – | 0.60 | 1.15 |" in markdown(flat)


def test_answer_url_is_judged_against_its_floor_and_the_hand_written_peer():
    runs = [
        _run(FLOOR_ANSWER, 1000, p99=4.0),
        _run(PEER_ANSWER, 400),
        _run(ANSWER, 850, p99=5.0),
    ]
    results = _results(runs)
    assert _verdict(results, "answer_url throughput ≥ 0.8× floor_answer") is True  # 0.85
    assert _verdict(results, "answer_url p99 ≤ 1.5× floor_answer") is True  # 1.25
    assert _verdict(results, "answer_url throughput ≥ 2× peer_answer") is True  # 2.125
    slow = _results(
        [_run(FLOOR_ANSWER, 1000, p99=4.0), _run(PEER_ANSWER, 450), _run(ANSWER, 790, p99=6.5)]
    )
    assert _verdict(slow, "answer_url throughput ≥ 0.8× floor_answer") is False
    assert _verdict(slow, "answer_url p99 ≤ 1.5× floor_answer") is False
    assert _verdict(slow, "answer_url throughput ≥ 2× peer_answer") is False
    assert "| small | 4 | 0.85 | 1.25 | 2.12 | – |" in markdown(results)


def test_event_url_below_080_of_its_floor_misses_the_goal():
    slow = _results([_run(FLOOR_EVENT, 1000), _run(EVENT, 790)])
    fast = _results([_run(FLOOR_EVENT, 1000), _run(EVENT, 810)])
    assert _verdict(slow, "event_url events/s ≥ 0.8× floor_event") is False
    assert _verdict(fast, "event_url events/s ≥ 0.8× floor_event") is True


def test_without_floors_their_goals_are_not_measured_and_no_floor_table_is_shown():
    results = _results([_run(BASELINE, 1000), _run(ANSWER, 600)])
    assert _verdict(results, "answer_url throughput ≥ 0.8× floor_answer") is None
    assert "Against the floors" not in markdown(results)


def _with_memory(small_kib, large_kib):
    results = _results([_run(ANSWER, 600)])
    small = results["sizes"]["small"]
    small["memory"] = {"after_warmup_kib": small_kib, "after_runs_kib": small_kib}
    results["sizes"]["large"] = {
        **small,
        "tenants": 1000,
        "memory": {"after_warmup_kib": large_kib, "after_runs_kib": large_kib},
    }
    return results


def test_a_large_worker_over_15_times_the_small_ones_misses_the_memory_goal():
    goal = "web worker's resident size, large ≤ 1.5× small"
    assert _verdict(_with_memory([200_000, 190_000], [290_000, 299_000]), goal) is True
    assert _verdict(_with_memory([200_000, 190_000], [290_000, 301_000]), goal) is False
    results = _with_memory([204_800, 190_000], [301_000, 250_000])
    assert "| large | 1,000 | 294, 244 | 294, 244 |" in markdown(results)
    figures = next(figures for goal_, _, figures in goals(results) if goal_ == goal)
    assert figures == "294 MiB over 200 MiB = 1.47×"  # the largest worker of each size


def test_without_a_memory_figure_the_memory_goal_is_not_judged():
    results = _results([_run(ANSWER, 600)])
    assert not [goal for goal, _, _ in goals(results) if "resident size" in goal]
    assert "Web worker memory" not in markdown(results)
