"""Request templates and their per-request filling, shared by wrk's script and the Python client.

A template's path and body may hold placeholders that the load generator fills per request:
`{n}` a number unique to the request, `{c}` one unique to the call (`group` consecutive
requests share it: an event_url call is created → ringing → answered → ended), `{t}` epoch
milliseconds. `{run}` is filled by `Workload.for_run`, so ids never repeat between runs.
"""

from dataclasses import dataclass

BASELINE, BASELINE_DRF, ANSWER, EVENT = "baseline", "baseline_drf", "answer_url", "event_url"
# The floors (bench.floors): the least the answer_url's and event_url's promises cost, and the
# answer_url as people write it by hand.
FLOOR_ANSWER, FLOOR_EVENT, PEER_ANSWER = "floor_answer", "floor_event", "peer_answer"
# The event_url again, with calls of LONG_CALL_EVENTS events instead of four.
EVENT_LONG = "event_url_long"
LONG_CALL_EVENTS = 50


@dataclass(frozen=True)
class RequestTemplate:
    method: str
    path: str
    body: str = ""


@dataclass(frozen=True)
class Workload:
    """Everything one endpoint's run sends, cycled in order."""

    endpoint: str
    templates: tuple[RequestTemplate, ...]
    group: int = 1

    def for_run(self, run: int) -> "Workload":
        """This workload with `{run}` filled in, so call ids of different runs never collide."""
        filled = tuple(
            RequestTemplate(
                t.method, t.path.replace("{run}", str(run)), t.body.replace("{run}", str(run))
            )
            for t in self.templates
        )
        return Workload(self.endpoint, filled, self.group)


def fill(template: RequestTemplate, n: int, c: int, t: int) -> tuple[str, str]:
    """The path and body of one request (the same substitution the wrk script does)."""

    def sub(text: str) -> str:
        return text.replace("{n}", str(n)).replace("{c}", str(c)).replace("{t}", str(t))

    return sub(template.path), sub(template.body)
