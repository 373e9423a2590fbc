"""Staff pages for IVR menus, with their keys edited on the menu's page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin, TenantScopedInline
from routing.admin.flow import MEDIA_JS as FLOW_JS
from routing.admin.flow import ShowsWhereCallsGo
from routing.admin.forms import (
    CONDITIONAL_FIELDS_JS,
    DESTINATION_FIELDS,
    URL_FIELDS,
    checked_form,
    formset_rows,
)
from routing.admin.hotline import hotline_urls
from routing.admin.unused import WarnsWhenUnused
from routing.admin.what_if import MEDIA_JS as WHAT_IF_JS
from routing.admin.what_if import ShowsWhatChanges
from routing.kinds import DestinationKind
from routing.models import IvrMenu, IvrOption
from routing.services import config as services
from routing.what_if import Edit, menu_edit


class IvrOptionInline(TenantScopedInline):
    """The keys of a menu, one block per key: the key and where it sends the call on one line,
    then only the fields that destination needs (as on the rule form). Their dropdowns offer
    only the staff user's own projects' data."""

    model = IvrOption
    form = checked_form(lambda option: services.option_check(option, option.menu))
    formfield_overrides = URL_FIELDS
    template = "admin/edit_inline/stacked.html"  # a table of every destination's fields is too wide
    fk_name = "menu"
    extra = 1
    max_num = 12
    fields = [("digit", "destination_kind"), *DESTINATION_FIELDS[1:]]


@admin.register(IvrMenu)
class IvrMenuAdmin(ShowsWhatChanges, ShowsWhereCallsGo, WarnsWhenUnused, TenantScopedAdmin):
    destination = DestinationKind.MENU
    what_if_focus = "menu"
    form = checked_form(services.menu_check)
    formfield_overrides = URL_FIELDS
    list_display = ["name", "project", "timeout", "max_retries", "destination_kind", "used"]
    list_filter = [("project", ProjectScopedListFilter)]
    search_fields = ["name", "greeting_text"]
    list_select_related = ["project"]
    inlines = [IvrOptionInline]
    fieldsets = [
        (None, {"fields": ["project", "name"]}),
        (_("Greeting"), {"fields": ["greeting_text", "greeting_voice", "greeting_audio"]}),
        (_("Keys pressed"), {"fields": ["timeout", "max_retries", "invalid_message"]}),
        (_("Final step: when no valid key was pressed"), {"fields": DESTINATION_FIELDS}),
        (_("Where the project's calls go"), {"fields": ["flow_picture"]}),
    ]
    readonly_fields = ["flow_picture"]

    class Media:
        js = [*CONDITIONAL_FIELDS_JS, *FLOW_JS, *WHAT_IF_JS]

    def what_if_edit(self, form, formsets) -> Edit:
        return menu_edit(form.instance, formset_rows(formsets[0]))

    def get_urls(self):
        return hotline_urls(self) + super().get_urls()

    def save_model(self, request, obj, form, change):
        """Saved with its keys in `save_related`, as one write of the menu service."""

    def save_related(self, request, form, formsets, change):
        services.menu_save(menu=form.instance, options=formset_rows(formsets[0]))
