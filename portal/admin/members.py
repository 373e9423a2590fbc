"""Staff of each project in the admin: owners invite colleagues, change roles and remove members
(never the last owner), all through portal.services.members."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.models import Membership, Project
from portal.tenancy.admin import ProjectScopedListFilter, TenantScopedAdmin
from portal.tenancy.policy import OWNER_ROLES, project_ids_for


class MemberFormBase(forms.ModelForm):
    """A membership form whose last check is the staff service's (who may, last owner...)."""

    acting_user = None  # the staff user posting the form (set by MembershipAdmin.get_form)

    def service_errors(self, check) -> None:
        try:
            check()
        except services.NotAllowed as exc:
            self.add_error(None, str(exc))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                fields = {name for name in exc.error_dict if name in self.fields}
                if fields != set(exc.error_dict):
                    exc = ValidationError(exc.messages)
            self.add_error(None, exc)


class InviteForm(MemberFormBase):
    """Invite a colleague: an existing staff account (username or email) or a new one (email).

    The invitation is sent as the form's last check (`member_invite`, one transaction with the
    admin's save), so the service's refusals show on the form, next to the field at fault.
    """

    who = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        help_text=_(
            "An existing staff account's username or email, or the email address of a new "
            "colleague: they get an email with a link to choose their password."
        ),
    )

    site_url: str | None = None
    invitation: services.Invitation | None = None

    class Meta:
        model = Membership
        fields = ["project", "who", "role"]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private in Django, absent from the stubs
        if self.errors:
            return
        data = self.cleaned_data

        def invite():
            self.invitation = services.member_invite(
                project=data["project"],
                who=data["who"],
                role=data["role"],
                by=self.acting_user,
                site_url=self.site_url,
            )

        try:
            self.service_errors(invite)
        except services.InvitationNotSent as exc:
            self.add_error("who", str(exc))


class MemberRoleForm(MemberFormBase):
    """A member's page: only the role changes (last owner kept, owners of the project only)."""

    class Meta:
        model = Membership
        fields = ["role"]

    def clean(self):
        data = super().clean() or {}
        if "role" in data and self.instance.pk:
            self.service_errors(
                lambda: services.member_role_check(
                    membership=self.instance, role=data["role"], by=self.acting_user
                )
            )
        return data


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    """Who works on which project, with which role. Owners invite colleagues (the add page),
    change roles and remove members of their own projects, all through portal.services."""

    edit_roles = OWNER_ROLES
    hide_single_project = False  # who is on which project is the point of this list
    list_display = ["user", "email", "project", "role", "last_login"]
    list_filter = ["role", ("project", ProjectScopedListFilter)]
    search_fields = ["user__username", "user__email", "project__name"]
    list_select_related = ["user", "project"]
    change_list_template = "admin/portal/membership/change_list.html"  # "Invite a colleague"
    delete_confirmation_template = "admin/portal/membership/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/portal/membership/delete_selected_confirmation.html"
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            # Owners pick among people already on their projects, never the whole user table.
            field.queryset = field.queryset.filter(
                memberships__project__in=project_ids_for(request.user)
            ).distinct()
        return field

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("last login"), ordering="user__last_login")
    def last_login(self, obj):
        if obj.user.last_login:
            return date_format(localtime(obj.user.last_login), "SHORT_DATETIME_FORMAT")
        if obj.user.has_usable_password():
            return gettext("Never")
        return gettext("Invited, no password yet")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["project", "who", "role"]})]
        return [(None, {"fields": ["user", "project", "role"]})]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "project"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MemberRoleForm if obj is not None else InviteForm
        form = super().get_form(request, obj, change, **kwargs)
        attrs = {"acting_user": request.user, "site_url": request.build_absolute_uri("/")}
        return type(form.__name__, (form,), attrs)

    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(
            request, form_url, {"title": gettext("Invite a colleague"), **(extra_context or {})}
        )

    def save_model(self, request, obj, form, change):
        if change:
            services.member_set_role(membership=obj, role=obj.role, by=request.user)
            return
        invitation = form.invitation  # sent by the form's last check
        obj.pk, obj.user = invitation.membership.pk, invitation.membership.user
        if invitation.new_account:
            self.message_user(
                request,
                gettext(
                    "%(email)s was sent a link to choose a password; they then log in and find "
                    "%(project)s as %(role)s."
                )
                % {
                    "email": obj.user.email,
                    "project": obj.project,
                    "role": obj.get_role_display().lower(),
                },
            )

    def get_deleted_objects(self, objs, request):
        """Removing the last owner of a project is refused: listed as what blocks the deletion."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + self._last_owner_problems(list(objs), request)
        return deleted, counts, perms_needed, protected

    def _last_owner_problems(self, memberships, request) -> list[str]:
        problems = []
        leaving: dict[int, int] = {}
        for membership in memberships:
            if membership.role == Membership.Role.OWNER:
                leaving[membership.project_id] = leaving.get(membership.project_id, 0) + 1
        for project_id, count in leaving.items():
            owners = Membership.objects.filter(project_id=project_id, role=Membership.Role.OWNER)
            if owners.count() <= count:
                project = Project.objects.get(pk=project_id)
                problems.append(f"{project}: {services.LAST_OWNER}")
        return problems

    def delete_model(self, request, obj):
        services.member_remove(membership=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("project", "user"):
            services.member_remove(membership=membership, by=request.user)
