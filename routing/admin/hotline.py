"""The "Set up a hotline" page: one guided form for a number's greeting menu, its keys, opening
hours, holidays and what callers get while closed; a preview picture; one save.

Reached from a number's page and from the project's page. The page only gathers the answers;
routing.services.hotline checks them and writes every row in one transaction.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import AppUser, Project, VirtualNumber
from portal.tenancy.policy import EDITOR_ROLES, projects_for, scope_to_projects
from routing.admin.flow import admin_link, picture_html
from routing.admin.forms import voice_choices
from routing.cache import routing_table
from routing.flow import flow_source
from routing.kinds import DestinationKind, Strategy
from routing.models import WEEKDAYS, IvrOption
from routing.models.destination import validate_audio
from routing.services.hotline import (
    HotlineCreated,
    HotlinePlan,
    KeyPlan,
    hotline_check,
    hotline_save,
    hotline_table,
)
from routing.weekdays import days_label

KEY_ROWS = 6
GREETING_FIELDS = ("number", "name", "greeting_text", "greeting_voice", "greeting_audio")
MAX_HOLIDAYS = 60
TIME_INPUT = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
KEY_KINDS = [
    ("", _("— not used —")),
    (DestinationKind.GROUP, _("Ring several agents (a new ring group)")),
    (DestinationKind.USER, _("Ring one agent")),
    (DestinationKind.PHONE, _("Forward to a phone number")),
    (DestinationKind.VOICEMAIL, _("Take a voicemail")),
    (DestinationKind.MESSAGE, _("Say a message, then hang up")),
]
ORDERS = [
    (Strategy.SEQUENTIAL, _("One after another, always from the first")),
    (Strategy.ROUND_ROBIN, _("One after another, taking turns who is first")),
]
CLOSED_KINDS = [
    (DestinationKind.VOICEMAIL, _("Take a voicemail")),
    (DestinationKind.MESSAGE, _("Say a message, then hang up")),
    (DestinationKind.PHONE, _("Forward to a phone number")),
]
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")


def parse_dates(text: str) -> list[date]:
    """Dates typed one a line or separated by commas (2026-12-25 or 25/12/2026)."""
    found, bad = [], []
    for word in re.split(r"[\s,;]+", text.strip()):
        if not word:
            continue
        for layout in DATE_FORMATS:
            try:
                found.append(datetime.strptime(word, layout).date())  # noqa: DTZ007 (a date)
                break
            except ValueError:
                continue
        else:
            bad.append(word)
    if bad:
        raise ValidationError(
            gettext("“%(words)s” is not a date: write dates as 2026-12-25.")
            % {"words": ", ".join(bad[:3])}
        )
    if len(found) > MAX_HOLIDAYS:
        raise ValidationError(
            gettext("At most %(count)d dates at a time.") % {"count": MAX_HOLIDAYS}
        )
    return found


class HotlineForm(forms.Form):
    """The hotline's own answers: which number, the greeting, the hours, what happens when
    closed."""

    number = forms.ModelChoiceField(
        queryset=VirtualNumber.objects.none(), label=_("Number"), empty_label=None
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        help_text=_("Names the menu, the rules and the ring groups it makes."),
    )
    greeting_text = forms.CharField(
        label=_("Greeting"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text=_("What callers hear first; say which key does what."),
    )
    greeting_voice = forms.ChoiceField(label=_("Voice"), required=False)
    greeting_audio = forms.CharField(
        label=_("Or a recorded greeting"),
        max_length=500,
        required=False,
        validators=[validate_audio],
        help_text=_(
            "A file uploaded to Stringee (e.g. welcome.mp3) or an http(s) link; played instead "
            "of the text."
        ),
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Open on"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opens = forms.TimeField(label=_("from"), widget=TIME_INPUT)
    closes = forms.TimeField(
        label=_("until"), widget=TIME_INPUT, help_text=_("00:00 means midnight.")
    )
    holidays = forms.CharField(
        label=_("Holidays (closed all day)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
        help_text=_("One date a line, e.g. 2026-12-25. The project's other holidays stay."),
    )
    closed_kind = forms.ChoiceField(label=_("When closed"), choices=CLOSED_KINDS)
    closed_text = forms.CharField(
        label=_("Message"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 70}),
    )
    closed_number = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        required=False,
        help_text=_("With country code, e.g. 84901234567."),
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        numbers = VirtualNumber.objects.filter(status=VirtualNumber.Status.ASSIGNED)
        choices = scope_to_projects(numbers, [project.pk]).order_by("number")
        self.fields["number"].queryset = choices  # type: ignore[attr-defined]
        voice = self.fields["greeting_voice"]
        voice.choices = voice_choices(self.initial.get("greeting_voice"))  # type: ignore[attr-defined]

    def clean_holidays(self) -> list[date]:
        return parse_dates(self.cleaned_data.get("holidays") or "")

    def clean(self):
        data = super().clean() or {}
        if data.get("closed_kind") == DestinationKind.PHONE and not data.get("closed_number"):
            self.add_error("closed_number", gettext("Enter the phone number to forward to."))
        opens, closes = data.get("opens"), data.get("closes")
        if opens and closes and closes != time(0, 0) and closes <= opens:
            self.add_error("closes", gettext("Closing must be after opening (00:00 for midnight)."))
        if not (data.get("greeting_text") or "").strip() and not data.get("greeting_audio"):
            self.add_error("greeting_text", gettext("Enter the greeting callers hear first."))
        return data


class KeyForm(forms.Form):
    """One key of the menu; a row without key and action is left out."""

    digit = forms.ChoiceField(
        label=_("Key"), choices=[("", "—"), *IvrOption.DIGITS], required=False
    )
    kind = forms.ChoiceField(label=_("What it does"), choices=KEY_KINDS, required=False)
    agent = forms.ModelChoiceField(
        label=_("Agent"), queryset=AppUser.objects.none(), required=False
    )
    agents = forms.ModelMultipleChoiceField(
        label=_("Agents"),
        queryset=AppUser.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    order = forms.ChoiceField(
        label=_("In what order"), choices=ORDERS, required=False, initial=Strategy.SEQUENTIAL
    )
    number = forms.CharField(label=_("Phone number"), max_length=32, required=False)
    text = forms.CharField(label=_("Message"), max_length=1000, required=False)

    def __init__(self, *args, project: Project, agents: list[AppUser], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        users = scope_to_projects(AppUser.objects.filter(is_active=True), [project.pk])
        # The project's agents are read once for every row (the page has six).
        listed = [(agent.pk, str(agent)) for agent in agents]
        for name, blank in (("agent", [("", "---------")]), ("agents", [])):
            field = self.fields[name]
            field.queryset = users  # type: ignore[attr-defined]
            field.choices = [*blank, *listed]  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean() or {}
        if data.get("digit") and not data.get("kind"):
            self.add_error("kind", gettext("Choose what this key does."))
        if data.get("kind") and not data.get("digit"):
            self.add_error("digit", gettext("Choose the key callers press."))
        return data

    def plan(self) -> KeyPlan | None:
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("digit") or not data.get("kind"):
            return None
        return KeyPlan(
            digit=data["digit"],
            kind=data["kind"],
            agent=data.get("agent"),
            agents=list(data.get("agents") or []),
            order=data.get("order") or Strategy.SEQUENTIAL,
            number=data.get("number") or "",
            text=data.get("text") or "",
        )


def initial_answers(project: Project, number: VirtualNumber | None) -> dict:
    """Sensible defaults: open Monday to Friday 08:00 to 18:00, voicemail when closed."""
    return {
        "number": number,
        "name": gettext("Hotline %(number)s") % {"number": number.number}
        if number
        else gettext("Hotline"),
        "greeting_text": gettext(
            "Thank you for calling. Press 1 to talk to our team, press 2 for our office."
        ),
        "days": [1, 2, 3, 4, 5],
        "opens": time(8, 0),
        "closes": time(18, 0),
        "closed_kind": DestinationKind.VOICEMAIL,
        "closed_text": gettext(
            "We are closed now. Please leave a message after the tone and we will call you back."
        ),
    }


KEY_DEFAULTS = [
    {"digit": "1", "kind": DestinationKind.GROUP},
    {"digit": "2", "kind": DestinationKind.PHONE},
]


class HotlineSetup:
    """The page's forms (the answers and one form per key row), read as a plan for the service."""

    def __init__(self, request: HttpRequest, project: Project) -> None:
        self.project = project
        data = request.POST if request.method == "POST" else None
        number = self._number(request.GET.get("number"))
        self.came_from_number = number is not None
        self.form = HotlineForm(data, project=project, initial=initial_answers(project, number))
        agents = list(
            scope_to_projects(AppUser.objects.filter(is_active=True), [project.pk]).order_by(
                "user_id"
            )
        )
        self.keys = [
            KeyForm(
                data,
                project=project,
                agents=agents,
                prefix=f"key-{row}",
                initial=KEY_DEFAULTS[row] if row < len(KEY_DEFAULTS) else {},
            )
            for row in range(KEY_ROWS)
        ]
        self.key_errors: list[str] = []
        self.rows: list[int] = []  # the form row of each key of the plan

    def greeting_fields(self) -> list:
        return [self.form[name] for name in GREETING_FIELDS]

    def closed_fields(self) -> list:
        return [self.form[name] for name in ("closed_kind", "closed_text", "closed_number")]

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors or self.key_errors or any(k.errors for k in self.keys))

    def _number(self, value: str | None) -> VirtualNumber | None:
        if not value or not value.isdigit():
            return None
        return self.form_numbers().filter(pk=int(value)).first()

    def form_numbers(self):
        numbers = VirtualNumber.objects.filter(status=VirtualNumber.Status.ASSIGNED)
        return scope_to_projects(numbers, [self.project.pk])

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        valid = all([form.is_valid() for form in self.keys]) and valid
        if not valid:
            return False
        seen: set[str] = set()
        for form in self.keys:
            digit = form.cleaned_data.get("digit")
            if digit and digit in seen:
                form.add_error("digit", gettext("This key is already used above."))
            seen.add(digit or "")
        return not any(form.errors for form in self.keys) and self._checked()

    def plan(self) -> HotlinePlan:
        data = self.form.cleaned_data
        keys = []
        self.rows = []
        for row, form in enumerate(self.keys):
            key = form.plan()
            if key is not None:
                keys.append(key)
                self.rows.append(row)
        return HotlinePlan(
            project=self.project,
            number=data["number"],
            name=data["name"].strip(),
            greeting_text=data.get("greeting_text") or "",
            greeting_voice=data.get("greeting_voice") or "",
            greeting_audio=data.get("greeting_audio") or "",
            keys=keys,
            days=data.get("days") or [],
            opens=data["opens"],
            closes=data["closes"],
            holidays=data.get("holidays") or [],
            closed_kind=data["closed_kind"],
            closed_text=data.get("closed_text") or "",
            closed_number=data.get("closed_number") or "",
        )

    def _checked(self) -> bool:
        try:
            hotline_check(plan=self.plan())
        except ValidationError as exc:
            self.show(exc)
            return False
        return True

    def save(self) -> HotlineCreated | None:
        try:
            return hotline_save(plan=self.plan())
        except ValidationError as exc:
            self.show(exc)
            return None

    def show(self, exc: ValidationError) -> None:
        """The service's problems next to the fields they are about."""
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        )
        for name, problems in errors.items():
            parts = name.split(".")
            if parts[0] == "keys" and len(parts) > 1 and int(parts[1]) < len(self.rows):
                form = self.keys[self.rows[int(parts[1])]]
                field = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
                form.add_error(field, problems)
            elif name == "keys":
                self.key_errors += problems
            elif name == "hours":
                self.form.add_error("closes", problems)
            elif name in self.form.fields:
                self.form.add_error(name, problems)
            else:
                self.form.add_error(None, problems)

    def preview(self) -> str:
        """The picture of where calls to the number will go once saved (nothing is written)."""
        plan = self.plan()
        table = hotline_table(plan=plan, table=routing_table(self.project))
        source = flow_source(table, number=plan.number.number, link=saved_link)
        return picture_html(
            source,
            gettext(
                "Where calls to %(number)s will go once you save: the new rules are tried "
                "first. Open %(hours)s; closed on holidays (%(holidays)s)."
            )
            % {
                "number": plan.number.number,
                "hours": hours_words(plan),
                "holidays": holidays_words(table),
            },
        )

    def back_url(self, plan_number: VirtualNumber) -> str:
        if self.came_from_number:
            return reverse("admin:portal_virtualnumber_change", args=[plan_number.pk])
        return reverse("admin:portal_project_change", args=[self.project.pk])


def saved_link(kind: str, object_id) -> str | None:
    """Links of the preview: saved rows open their page; the new ones have none yet."""
    return admin_link(kind, object_id) if isinstance(object_id, int) else None


def hours_words(plan: HotlinePlan) -> str:
    days = days_label(sorted(set(plan.days))) or gettext("no day")
    return f"{days} {plan.opens:%H:%M}–{plan.closes:%H:%M}"


def holidays_words(table) -> str:
    """The holidays of the plan's calendar, the first few named."""
    days = table.calendar.get("holidays", [])
    if not days:
        return gettext("none yet")
    shown = ", ".join(days[:4])
    return shown + (
        gettext(" and %(count)d more") % {"count": len(days) - 4} if len(days) > 4 else ""
    )


def created_message(created: HotlineCreated, plan: HotlinePlan) -> str:
    """What was made, each linked to its page (staff edit them there from now on)."""
    links = [
        (
            admin_link("menu", created.menu.pk),
            gettext("IVR menu “%(name)s”") % {"name": created.menu.name},
        )
    ]
    links += [
        (admin_link("group", group.pk), gettext("ring group “%(name)s”") % {"name": group.name})
        for group in created.groups
    ]
    links += [
        (admin_link("rule", rule.pk), gettext("rule “%(name)s”") % {"name": rule.name})
        for rule in created.rules
    ]
    links.append(
        (
            reverse("admin:routing_openinghours_week", args=[plan.project.pk]),
            gettext("opening hours %(hours)s") % {"hours": hours_words(plan)},
        )
    )
    links += [
        (
            reverse("admin:routing_holiday_change", args=[holiday.pk]),
            gettext("holiday %(date)s") % {"date": holiday.date.isoformat()},
        )
        for holiday in created.holidays
    ]
    return format_html(
        "{} {}",
        gettext("The hotline is set up. Created:"),
        format_html_join(", ", '<a href="{}">{}</a>', links),
    )


def editable_project(request: HttpRequest, project_id: int) -> Project:
    """One of the staff member's projects they may change routing in; anything else is 404."""
    project = projects_for(request.user, EDITOR_ROLES).filter(pk=project_id).first()
    if project is None or not request.user.is_staff:
        raise Http404(gettext("No such project among yours."))
    return project


def hotline_page(request: HttpRequest, project_id: int, site) -> HttpResponse:
    """The guided form; "Preview" draws the plan, "Save" writes it and goes back to the page
    the staff member came from."""
    project = editable_project(request, project_id)
    setup = HotlineSetup(request, project)
    picture = None
    if request.method == "POST" and setup.is_valid():
        if "save" in request.POST and (created := setup.save()) is not None:
            messages.success(request, created_message(created, setup.plan()))
            return redirect(setup.back_url(setup.form.cleaned_data["number"]))
        picture = setup.preview() if "save" not in request.POST else None
    context = {
        **site.each_context(request),
        "title": gettext("Set up a hotline — %(project)s") % {"project": project},
        "project": project,
        "setup": setup,
        "picture": picture,
    }
    return render(request, "admin/routing/hotline.html", context)


def hotline_urls(model_admin) -> list:
    """Admin URLs of the page, mounted under the IVR menus' admin."""
    site = model_admin.admin_site
    return [
        path(
            "hotline/<int:project_id>/",
            site.admin_view(partial(hotline_page, site=site)),
            name="routing_hotline",
        )
    ]
