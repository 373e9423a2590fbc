"""Ring groups as SCCOs: one member's connect at a time, its failure coming back for the next
(pure).

Each member's `connect` carries `continueOnFail: true` and an `onFailEventUrl` naming the group,
how many members were tried and where this call started (`/ring/<projectId>/<token>/<group>/
?next=<tried>&start=<start>`). When every member was tried, the group's final step runs.
Round-robin groups start at the pointer `CallState.round_robin_start` hands out.
"""

from routing import scco
from routing.engine.destinations import build, builder, caller_endpoint, dialled, table_fallback
from routing.engine.types import Action, Context
from routing.kinds import DestinationKind, PartyKind, Strategy


def member_endpoint(member: dict, ctx: Context) -> dict:
    if member["kind"] == PartyKind.USER:
        return scco.endpoint("internal", member["address"], ctx.call.to_wire)
    digits = member["address"].lstrip("+")
    return dialled(scco.endpoint("external", digits, digits), ctx.table, ctx.state)


def ring_member(group: dict, ctx: Context, tried: int, start: int) -> list[Action]:
    """The connect to the `tried`-th member counted from `start`, or the final step after the
    last."""
    members = group["members"]
    if tried >= len(members):
        return build(group["final"], ctx) or table_fallback(ctx.table)
    member = members[(start + tried) % len(members)]
    outbound = member["kind"] == PartyKind.PHONE
    return [
        scco.connect(
            caller_endpoint(ctx.call, group.get("caller_id") if outbound else None),
            member_endpoint(member, ctx),
            timeout=member["timeout"],
            continue_on_fail=True,
            on_fail_event_url=ctx.links.ring(group["id"], ctx.call, tried + 1, start),
        )
    ]


def start_of(group: dict, ctx: Context) -> int:
    """Where a new call starts: 0, or the round-robin pointer (which this call moves)."""
    size = len(group["members"])
    if group["strategy"] != Strategy.ROUND_ROBIN or size < 2:
        return 0
    return ctx.state.round_robin_start(group["id"], size) % size


@builder(DestinationKind.GROUP)
def to_group(destination: dict, ctx: Context) -> list[Action] | None:
    """A ring group: the first member to try (its own settings; a rule's connect options do not
    apply)."""
    group = ctx.table.groups.get(str(destination.get("group")))
    if group is None:
        return None
    return ring_member(group, ctx, tried=0, start=start_of(group, ctx))
