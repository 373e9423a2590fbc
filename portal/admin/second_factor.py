"""The pages of two-factor sign-in: the code asked after the password, setting up an
authenticator app (QR code, the secret as text, the first code), one's own settings (new
recovery codes, removing the app), and on a staff account's page the superuser's "remove" for a
lost phone. django-otp's own device pages, which show the secrets, are not offered.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.second_factor import (
    Step,
    has_second_factor,
    must_have_second_factor,
    qr_code_svg,
    secret_as_text,
    step_owed,
)
from portal.services import second_factor as services

User = get_user_model()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def _refusal_message(refused: services.CodeRefused) -> str:
    if refused.locked_until is not None:
        return gettext("Too many wrong codes. Wait until %(time)s, then try again.") % {
            "time": date_format(localtime(refused.locked_until), "TIME_FORMAT")
        }
    if not refused.wrong:
        return gettext("This code cannot be checked now. Try again in a moment.")
    return gettext(
        "That code is not right. Type the 6 digits your app shows now (they change every 30 "
        "seconds), or one of your recovery codes."
    )


def _next_page(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("admin:index")


class SecondFactorPages:
    """The pages, served by the admin site (`urls`) under /admin/second-factor/."""

    def __init__(self, site: admin.AdminSite) -> None:
        self.site = site

    @property
    def urls(self) -> list:
        return [
            path("second-factor/verify/", self._page(self.verify), name="second_factor_verify"),
            path("second-factor/enrol/", self._page(self.enrol), name="second_factor_enrol"),
            path("second-factor/", self._page(self.overview), name="second_factor"),
        ]

    def _page(self, view):
        """Signed-in staff only (others go to the sign-in page); never cached; CSRF-checked."""

        def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not (user.is_active and user.is_staff):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            return view(request, *args, **kwargs)

        return never_cache(csrf_protect(page))

    def _render(self, request: HttpRequest, template: str, title: str, **context) -> HttpResponse:
        owing = step_owed(request) is not None
        base = self.site.each_context(request)
        if owing:  # no links to pages the session cannot open yet
            base.update(available_apps=[], is_nav_sidebar_enabled=False)
        return render(
            request,
            f"admin/second_factor/{template}",
            {**base, "title": title, "owing": owing, **context},
        )

    def verify(self, request: HttpRequest) -> HttpResponse:
        """After the password: the code of the app (or a recovery code)."""
        step = step_owed(request)
        if step is None:
            return HttpResponseRedirect(_next_page(request))
        if step is Step.ENROL:
            return HttpResponseRedirect(reverse("admin:second_factor_enrol"))
        form = CodeForm(request.POST or None)
        if form.is_valid():
            refused = services.session_verify(request=request, code=form.cleaned_data["code"])
            if refused is None:
                return HttpResponseRedirect(_next_page(request))
            form.add_error("code", _refusal_message(refused))
        return self._render(
            request,
            "verify.html",
            gettext("Two-factor sign-in"),
            form=form,
            next=_next_page(request),
        )

    def enrol(self, request: HttpRequest) -> HttpResponse:
        """Set up an authenticator app: scan, or type the secret, then confirm with a code."""
        if has_second_factor(request.user):
            return HttpResponseRedirect(reverse("admin:second_factor"))
        device = services.app_device_pending(user=request.user)
        form = CodeForm(request.POST or None)
        if form.is_valid():
            outcome = services.app_device_confirm(
                request=request, device=device, code=form.cleaned_data["code"]
            )
            if isinstance(outcome, list):
                return self._render(
                    request,
                    "recovery_codes.html",
                    gettext("Your recovery codes"),
                    codes=outcome,
                    next=_next_page(request),
                )
            form.add_error("code", _refusal_message(outcome))
        return self._render(
            request,
            "enrol.html",
            gettext("Set up two-factor sign-in"),
            form=form,
            qr_code=qr_code_svg(device),
            secret=secret_as_text(device),
            required=must_have_second_factor(request.user),
            next=_next_page(request),
        )

    def overview(self, request: HttpRequest) -> HttpResponse:
        """One's own two-factor sign-in: set up, new recovery codes, remove."""
        step = step_owed(request)
        if step is not None:
            name = "verify" if step is Step.VERIFY else "enrol"
            return HttpResponseRedirect(reverse(f"admin:second_factor_{name}"))
        user = request.user
        if request.method == "POST" and "new_codes" in request.POST:
            if not has_second_factor(user):
                return HttpResponseRedirect(reverse("admin:second_factor_enrol"))
            codes = services.recovery_codes_renew(user=user)
            return self._render(
                request,
                "recovery_codes.html",
                gettext("Your recovery codes"),
                codes=codes,
                next=reverse("admin:second_factor"),
            )
        if request.method == "POST" and "remove" in request.POST:
            services.second_factor_remove(user=user, by=user)
            messages.success(request, gettext("Two-factor sign-in is off for your account."))
            return HttpResponseRedirect(reverse("admin:second_factor"))
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        recovery = StaticDevice.objects.filter(user=user).first()
        return self._render(
            request,
            "overview.html",
            gettext("Two-factor sign-in"),
            device=device,
            codes_left=recovery.token_set.count() if recovery else 0,
            required=must_have_second_factor(user),
        )


# --- the superuser's side: a staff account's page ------------------------------------------------

# django-otp's own pages list each device with its secret: not offered here.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


class StaffAccountAdmin(UserAdmin):
    """Django's user page, saying whether the account uses two-factor sign-in, with the
    superuser's "Remove two-factor sign-in" for a lost phone."""

    change_form_template = "admin/second_factor/user_change_form.html"

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(uses_second_factor=Exists(devices))

    def get_list_display(self, request):
        return [*super().get_list_display(request), "second_factor"]

    @admin.display(description=_("two-factor sign-in"), boolean=True)
    def second_factor(self, user) -> bool:
        return bool(getattr(user, "uses_second_factor", False))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/second-factor/remove/",
                self.admin_site.admin_view(self.remove_second_factor_view),
                name="auth_user_second_factor_remove",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        account = self.get_object(request, object_id)
        extra = {
            "second_factor_device": TOTPDevice.objects.filter(user=account, confirmed=True).first()
            if account
            else None
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def remove_second_factor_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Ask, then remove the account's app and recovery codes (a lost or replaced phone)."""
        if not request.user.is_superuser:
            raise PermissionDenied
        if not object_id.isdigit():
            raise Http404
        account = get_object_or_404(User, pk=object_id)
        if request.method == "POST":
            removed = services.second_factor_remove(user=account, by=request.user)
            text = (
                gettext(
                    "Two-factor sign-in removed for %(name)s: they set it up again at their "
                    "next sign-in if they must have it."
                )
                if removed
                else gettext("%(name)s had no two-factor sign-in to remove.")
            )
            messages.success(request, text % {"name": account.get_username()})
            return HttpResponseRedirect(reverse("admin:auth_user_change", args=[account.pk]))
        return render(
            request,
            "admin/second_factor/remove_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Remove two-factor sign-in of %(name)s?")
                % {"name": account.get_username()},
                "account": account,
                "device": TOTPDevice.objects.filter(user=account, confirmed=True).first(),
            },
        )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffAccountAdmin)
