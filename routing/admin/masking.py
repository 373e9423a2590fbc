"""Staff pages for masked calls: the project's masking pool and its sessions (closed from the
list; started from a session's page by calling party A, who is then connected to party B, both
seeing only the session's number)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.admin.callouts import OffersCall
from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin
from portal.tenancy.policy import user_may
from routing.models import MaskingPoolNumber, MaskingSession
from routing.services import masking

MAX_TTL_MINUTES = 30 * 24 * 60  # as the API's ttl_seconds: at most 30 days


class MaskingSessionCreateForm(forms.ModelForm):
    """Open a session from the admin with the API's service (`masking_session_create`): it picks
    a free pool number and binds both participants. Its refusals (unknown participant, pool
    exhausted) show on the form; the session is written as the form's last check, in the
    admin's transaction."""

    participant_a = forms.CharField(
        label=_("Participant A"),
        max_length=128,
        help_text=_("Phone number (any form) or app user id."),
    )
    participant_b = forms.CharField(
        label=_("Participant B"),
        max_length=128,
        help_text=_("Phone number (any form) or app user id."),
    )
    ttl_minutes = forms.IntegerField(
        label=_("Open for (minutes)"),
        min_value=1,
        max_value=MAX_TTL_MINUTES,
        initial=masking.DEFAULT_TTL_SECONDS // 60,
    )

    class Meta:
        model = MaskingSession
        fields = ["project", "participant_a", "participant_b", "ttl_minutes", "reference"]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private in Django, absent from the stubs
        if self.errors:
            return
        data = self.cleaned_data
        for name in ("participant_a", "participant_b"):
            try:
                masking.participant(data["project"], data[name])
            except masking.BadParticipant as exc:
                self.add_error(name, exc.messages)
        if self.errors:
            return
        try:
            self.instance = masking.masking_session_create(
                project=data["project"],
                participant_a=data["participant_a"],
                participant_b=data["participant_b"],
                ttl_seconds=data["ttl_minutes"] * 60,
                reference=data.get("reference", ""),
            )
        except masking.BadParticipant as exc:
            self.add_error(None, ValidationError(exc.messages))
        except masking.PoolExhausted as exc:
            self.add_error(None, str(exc))


@admin.register(MaskingPoolNumber)
class MaskingPoolNumberAdmin(TenantScopedAdmin):
    """Numbers set aside as proxies: calls to them are routed by sessions, not by rules."""

    list_display = ["number", "project"]
    list_filter = [("project", ProjectScopedListFilter)]
    search_fields = ["number__number"]
    list_select_related = ["project", "number"]


@admin.register(MaskingSession)
class MaskingSessionAdmin(OffersCall, TenantScopedAdmin):
    """Sessions are opened here or through the API (`masking-sessions`), by the same service;
    staff read them, start one by calling party A ("Call party A…"), and close them from the
    list."""

    add_form = MaskingSessionCreateForm
    change_form_template = "admin/routing/maskingsession/change_form.html"  # "Call party A…"
    call_title = _("Call party A of %(object)s")

    def call_fixed(self, obj: MaskingSession) -> dict[str, str] | None:
        """An open session: its number calls A, then connects A to B."""
        if not obj.is_open:
            return None
        return {
            "from_number": obj.proxy.number,
            "to": obj.a_address,
            "connect_to": obj.b_address,
        }

    list_display = [
        "id",
        "project",
        "proxy",
        "a_address",
        "b_address",
        "reference",
        "expires_at",
        "closed_at",
    ]
    list_filter = [("project", ProjectScopedListFilter), "closed_at"]
    search_fields = ["a_address", "b_address", "reference", "proxy__number"]
    list_select_related = ["project", "proxy"]
    readonly_fields = [
        "project",
        "proxy",
        "a_kind",
        "a_address",
        "b_kind",
        "b_address",
        "reference",
        "created_at",
        "expires_at",
        "closed_at",
    ]
    actions = ["close_sessions"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # actions only

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            fields = ["project", "participant_a", "participant_b", "ttl_minutes", "reference"]
            return [(None, {"fields": fields})]
        return super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        """Written by `masking_session_create` as the form's last check."""
        self.message_user(
            request,
            gettext("Session open: %(a)s and %(b)s reach each other on %(proxy)s.")
            % {"a": obj.a_address, "b": obj.b_address, "proxy": obj.proxy},
        )

    @admin.action(description=_("Close the selected sessions now"), permissions=["change"])
    def close_sessions(self, request, queryset):
        closed = 0
        for session in queryset.filter(closed_at__isnull=True):
            if user_may(request.user, session, self.edit_roles):
                masking.masking_session_close(session=session)
                closed += 1
        self.message_user(
            request,
            ngettext("%(count)d session closed.", "%(count)d sessions closed.", closed)
            % {"count": closed},
        )
