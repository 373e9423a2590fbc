"""App config of routing: rules, IVR menus and the answer_url."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Every change of these is kept in the change history (portal.audit).
AUDITED = (
    "routingrule",
    "ivrmenu",
    "ivroption",
    "ringgroup",
    "ringgroupmember",
    "conferenceroom",
    "maskingpoolnumber",
    "maskingsession",
    "openinghours",
    "holiday",
)


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from portal.webhooks import door
        from routing.cache import invalidate_on_changes, load_table

        door.load_routing_with(load_table)  # what the webhooks' door adds for routing callers
        invalidate_on_changes()

        from portal import audit
        from portal.tenancy.admin import search_in_forms

        for model in AUDITED:
            audit.watch(f"routing.{model}")
        search_in_forms("routing.routingrule", "routing.ivrmenu", "routing.ringgroup")
