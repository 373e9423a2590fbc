"""How each tenant-owned model reaches its project (`tenant_lookup`), and which models all tenants
share. Knows no model of its own, so models may ask it (the change history files each entry
under the project its row belongs to)."""

from operator import attrgetter

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model

TENANT_APPS = ("portal", "routing", "calls")

# Models every tenant may pick from (staff accounts, API tokens): scoped by their own admin rules.
SHARED_MODELS = {
    "auth.user",
    "auth.group",
    "auth.permission",
    "authtoken.token",
    "authtoken.tokenproxy",
    # The readings of the Stringee account (the portal's own): no page lists them to tenants.
    "portal.stringeesync",
    # Superusers' requests to create projects on Stringee (no tenant owns one before it exists).
    "portal.projectcreation",
}


def tenant_lookup(model: type[Model]) -> str:
    """The model's path to its project; ImproperlyConfigured if it declares none (fail closed)."""
    lookup = getattr(model, "tenant_lookup", None)
    if not isinstance(lookup, str) or not lookup:
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no tenant_lookup: it cannot be scoped."
        )
    return lookup


def is_shared(model: type[Model]) -> bool:
    return model._meta.label_lower in SHARED_MODELS


def tenant_project_id(obj: Model) -> int | None:
    """The id of the project `obj` belongs to (None for unassigned inventory)."""
    lookup = tenant_lookup(type(obj))
    if lookup == "pk":
        return obj.pk
    *path, last = lookup.split("__")
    owner = attrgetter(".".join(path))(obj) if path else obj
    return getattr(owner, f"{last}_id", None) if owner is not None else None
