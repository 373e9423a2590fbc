"""The staff member's "Sign out everywhere" button (on the password-change page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.services.sessions import sessions_end_all


@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponseRedirect:
    """End every session of the signed-in account, on every device, this one included."""
    sessions_end_all(user=request.user)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, _("You are signed out on every device. Sign in again here."))
    return HttpResponseRedirect(reverse("admin:login"))
