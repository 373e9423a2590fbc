"""Outbound calls in the admin: the "Call…" page that app users, numbers and masking sessions open
(pick the other side, press Call, read what happened), and the read-only list of the project's
outbound calls (state, who asked, when, and the call in the call log once it is there)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.errors import DomainError
from portal.models import Callout, CalloutState, PartyKind, Project, VirtualNumber
from portal.phone import phone_display
from portal.stringee.client import is_connected
from portal.stringee.errors import reason_for
from portal.tenancy.admin import ProjectScopedListFilter, ReadOnlyScopedAdmin
from portal.tenancy.policy import user_may

# How the call log links a page of callouts to their calls: (project ids, call ids) → {(project
# id, call id): admin URL}. The calls app names it (`link_calls_with`); portal knows no call.
_call_links: list[Callable[[set[int], set[str]], dict[tuple[int, str], str]]] = []


def link_calls_with(links: Callable[[set[int], set[str]], dict[tuple[int, str], str]]) -> None:
    """Let the outbound calls list link each placed call to its page in the call log."""
    _call_links[:] = [links]


def party_in_words(kind: str, address: str) -> str:
    """A phone number as staff write it, or an app user's userId."""
    if kind == PartyKind.PHONE:
        return phone_display(address)
    return gettext("app user %(user)s") % {"user": address}


def outcome_in_words(callout: Callout) -> str:
    """One sentence: where the outbound call stands."""
    to = party_in_words(callout.to_kind, callout.to_address)
    if callout.state == CalloutState.PLACED:
        return gettext("Stringee is calling %(to)s from %(from)s.") % {
            "to": to,
            "from": phone_display(callout.from_number),
        }
    if callout.state == CalloutState.FAILED:
        return gettext("The call to %(to)s was not placed: %(reason)s.") % {
            "to": to,
            "reason": reason_for(callout.error),
        }
    return gettext(
        "The call to %(to)s is asked; Stringee has not answered yet. The Outbound calls list "
        "shows how it went."
    ) % {"to": to}


class CallForm(forms.Form):
    """Who is called and from which number; who they are connected to once they answer."""

    from_number = forms.ChoiceField(label=_("From number"))
    to = forms.CharField(
        label=pgettext_lazy("place a call to", "Call"),
        max_length=128,
        help_text=_("A phone number (any form) or an app user's userId."),
    )
    connect_to = forms.CharField(
        label=_("Once answered, connect to"),
        max_length=128,
        required=False,
        help_text=_(
            "A phone number or an app user's userId. Leave empty to let the project's rules "
            "decide where the answered call goes."
        ),
    )

    def __init__(self, *args, project: Project, fixed: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        numbers = VirtualNumber.objects.filter(
            project=project, status=VirtualNumber.Status.ASSIGNED
        ).values_list("number", flat=True)
        from_number = self.fields["from_number"]
        if isinstance(from_number, forms.ChoiceField):
            from_number.choices = [(n, phone_display(n)) for n in numbers]
        for name, value in fixed.items():  # the page's own side of the call: shown, not asked
            self.fields[name].initial = value
            self.fields[name].disabled = True
            self.fields[name].help_text = ""


FIELD_OF = {"from": "from_number", "to": "to", "connect_to": "connect_to"}


def call_page(
    request: HttpRequest,
    *,
    project: Project,
    title: str,
    fixed: dict[str, str],
    back: str,
    context: dict,
) -> HttpResponse:
    """The "Call…" page: a form, then the call asked through the service (refusals shown on the
    form), a few seconds' wait for Stringee, and the outcome in words on the page it came from."""
    form = CallForm(
        request.POST if request.method == "POST" else None, project=project, fixed=fixed
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            callout = services.callout_place(
                project=project,
                from_number=data["from_number"],
                to=data["to"],
                connect_to=data["connect_to"],
                by=request.user if request.user.is_authenticated else None,
                by_label=request.user.get_username(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(FIELD_OF.get(field), errors)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            callout = services.callout_settled(callout=callout)
            level = messages.ERROR if callout.state == CalloutState.FAILED else messages.SUCCESS
            messages.add_message(request, level, outcome_in_words(callout))
            return redirect(back)
    return render(
        request,
        "admin/portal/callout/call_form.html",
        {**context, "form": form, "title": title, "back": back},
    )


@admin.register(Callout)
class CalloutAdmin(ReadOnlyScopedAdmin):
    """The project's outbound calls, latest first: nobody changes them (the worker does)."""

    list_display = [
        "asked_at",
        "project",
        "from_shown",
        "to_shown",
        "outcome",
        "requested_by",
        "call",
    ]
    list_filter = ["state", ("project", ProjectScopedListFilter)]
    search_fields = ["to_address", "from_number", "call_id", "requested_by"]
    list_select_related = ["project"]
    fields = (
        "project",
        "asked_at",
        "from_shown",
        "to_shown",
        "then_shown",
        "outcome",
        "custom",
        "requested_by",
        "call",
        "finished_at",
    )
    readonly_fields = fields

    def get_changelist_instance(self, request):
        """The page's calls in the call log, read once for all its rows."""
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)
        _remember_call_links(rows)
        return changelist

    def get_object(self, request, object_id, from_field=None):
        callout = super().get_object(request, object_id, from_field)
        if callout is not None:
            _remember_call_links([callout])
        return callout

    @admin.display(description=_("asked at"), ordering="created_at")
    def asked_at(self, obj: Callout) -> str:
        return date_format(localtime(obj.created_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("from"), ordering="from_number")
    def from_shown(self, obj: Callout) -> str:
        return phone_display(obj.from_number)

    @admin.display(description=_("called"), ordering="to_address")
    def to_shown(self, obj: Callout) -> str:
        return party_in_words(obj.to_kind, obj.to_address)

    @admin.display(description=_("once answered"))
    def then_shown(self, obj: Callout) -> str:
        if not obj.connect_address:
            return gettext("the project's rules decide")
        return gettext("connected to %(party)s") % {
            "party": party_in_words(obj.connect_kind, obj.connect_address)
        }

    @admin.display(description=_("what happened"), ordering="state")
    def outcome(self, obj: Callout) -> str:
        return outcome_in_words(obj)

    @admin.display(description=_("call"))
    def call(self, obj: Callout) -> str:
        url = getattr(obj, "call_link", "")
        if url:
            return format_html('<a href="{}">{}</a>', url, gettext("In the call log"))
        if obj.call_id:
            return gettext("Not in the call log yet")
        return "—"


def _remember_call_links(callouts: list[Callout]) -> None:
    wanted = [c for c in callouts if c.call_id]
    if not wanted or not _call_links:
        return
    found = _call_links[0]({c.project_id for c in wanted}, {c.call_id for c in wanted})
    for callout in wanted:
        callout.call_link = found.get((callout.project_id, callout.call_id), "")  # type: ignore[attr-defined]


class OffersCall:
    """An admin whose object pages have a "Call…" button (app users, numbers, masking
    sessions): `call_fixed(obj)` says the page's own side of the call (None: no call from it)."""

    call_title: str | Promise = ""

    def call_fixed(self, obj) -> dict[str, str] | None:
        raise NotImplementedError

    def may_call(self, request, obj) -> bool:
        """For those who may change the object's project's configuration (owners, operators)."""
        return (
            obj is not None
            and user_may(request.user, obj, self.edit_roles)  # type: ignore[attr-defined]
            and self.call_fixed(obj) is not None
        )

    def get_urls(self):
        opts = self.model._meta  # type: ignore[attr-defined]
        view = self.admin_site.admin_view(self.call_view)  # type: ignore[attr-defined]
        name = f"{opts.app_label}_{opts.model_name}_call"
        return [path("<path:object_id>/call/", view, name=name), *super().get_urls()]  # type: ignore[misc]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        extra = {"may_call": self.may_call(request, obj)}
        return super().change_view(  # type: ignore[misc]
            request, object_id, form_url, {**extra, **(extra_context or {})}
        )

    def call_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404(gettext("Not found among yours."))
        fixed = self.call_fixed(obj)
        if fixed is None or not self.may_call(request, obj):
            raise PermissionDenied
        opts = self.model._meta  # type: ignore[attr-defined]
        back = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": opts,
            "original": obj,
            "explanation": "" if is_connected() else not_connected_line(),
        }
        title = self.call_title % {"object": obj}
        return call_page(
            request, project=obj.project, title=title, fixed=fixed, back=back, context=context
        )


def not_connected_line() -> str:
    return gettext(
        "No Stringee account is connected, so the portal cannot place calls. The portal's "
        "administrators connect one with STRINGEE_ACCOUNT_SID and STRINGEE_ACCOUNT_KEY "
        "(docs/stringee.md, “Connecting an account”)."
    )
