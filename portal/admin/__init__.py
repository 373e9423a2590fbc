"""The staff web UI (Django's admin): the site (`site`), the scoped pages of the tenancy domain
(one module per concept), and what those pages share (paging, delete pages, time zones).

The pages register when the portal app is ready (portal.apps.PortalConfig), after every app's
admin module was discovered: the change history replaces django-auditlog's own page, and the
site is built before any page registers on it. Every page of a tenant's rows builds on
portal.tenancy.admin; an admin not scoped to tenants is for superusers alone (portal.admin.site).
"""

PAGES = (
    "projects",
    "numbers",
    "app_users",
    "members",
    "api_keys",
    "history",
    "exports",
    "second_factor",
    "callouts",
)
