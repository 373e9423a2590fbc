"""The tenant-scoped admin: lists, object pages, list filters, drop-downs and autocompletes show a
staff user only their own projects' rows; viewers may look but not change; secrets never show.
"""

from collections.abc import Sequence

from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.utils.functional import cached_property

from portal.admin.delete_pages import deleted_objects
from portal.models import Project
from portal.tenancy.policy import (
    EDITOR_ROLES,
    MEMBER_ROLES,
    is_shared,
    project_ids_for,
    projects_for,
    scope_to_user,
    user_may,
)

# Tables that may hold thousands of rows per tenant (each app names its own, `search_in_forms`):
# a form's foreign key to one of them is an autocomplete (searching the related admin's scoped
# list), never a dropdown of every row.
AUTOCOMPLETE_MODELS: set[str] = set()


def search_in_forms(*labels: str) -> None:
    """Make every form's foreign key to these models (labels) an autocomplete."""
    AUTOCOMPLETE_MODELS.update(label.lower() for label in labels)


class JunkProofAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete, re-rendering a form whose posted value is not a key at all ("x",
    a number beyond the column's range) as an empty choice instead of failing on the lookup.

    `known` (set by `remember_chosen_rows`) reads the rows chosen in all rows of an inline
    formset at once, from the field's scoped choices, instead of one query per row.
    """

    known: "ChosenRows | None" = None

    def key_field(self):
        return self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)

    def usable_keys(self, values) -> list:
        """The values that can be keys of the related rows (blanks and junk left out)."""
        key = self.key_field()
        usable = []
        for item in values:
            if item in key.empty_values:
                continue
            try:
                key.run_validators(key.to_python(item))
            except (ValidationError, TypeError, ValueError, OverflowError):
                continue
            usable.append(item)
        return usable

    def optgroups(self, name, value, attr=None):
        usable = self.usable_keys(value)
        known = self.known.by_key if self.known is not None and usable else {}
        if not usable or not all(str(item) in known for item in usable):
            return super().optgroups(name, usable, attr)
        groups = super().optgroups(name, [], attr)  # the blank choice alone, without a query
        options = groups[0][1]
        attname = self.key_field().attname
        label = self.choices.field.label_from_instance
        for row in dict.fromkeys(known[str(item)] for item in usable):
            options.append(
                self.create_option(name, getattr(row, attname), label(row), True, len(options))
            )
        return groups


def _unwrapped(widget):
    return getattr(widget, "widget", widget)  # the admin wraps it with its "+" and edit links


class ChosenRows:
    """The rows chosen in one autocomplete field of all rows of an inline formset, read from
    the field's scoped choices with one query when the first row is drawn (a valid post is
    saved without being drawn, and reads nothing)."""

    def __init__(self, forms: Sequence, name: str, widget: JunkProofAutocompleteSelect):
        self.forms, self.name, self.widget = forms, name, widget

    @cached_property
    def by_key(self) -> dict[str, Model]:
        values = [form[self.name].value() for form in self.forms]
        keys = {str(key) for key in self.widget.usable_keys(values)}
        if not keys:
            return {}
        attname = self.widget.key_field().attname
        rows = self.forms[0].fields[self.name].queryset.filter(**{f"{attname}__in": keys})
        return {str(getattr(row, attname)): row for row in rows}


def remember_chosen_rows(forms: Sequence) -> None:
    """Give the autocompletes of `forms` (an inline formset's rows) one reading of their chosen
    rows per field, shared by all rows."""
    for name, field in (forms[0].fields if forms else {}).items():
        widget = _unwrapped(field.widget)
        if isinstance(widget, JunkProofAutocompleteSelect):
            chosen = ChosenRows(forms, name, widget)
            for form in forms:
                _unwrapped(form.fields[name].widget).known = chosen


class TenantScopedChoices:
    """Foreign-key and many-to-many dropdowns offer only the staff user's own projects' objects."""

    edit_roles = EDITOR_ROLES

    def get_autocomplete_fields(self, request):
        """Every foreign key to a big table (AUTOCOMPLETE_MODELS) searches as one types.

        Django's autocomplete view asks the related model's admin for its rows
        (`get_queryset`, then `get_search_results`), and that admin is a TenantScopedAdmin: staff
        are offered only their own projects' numbers, app users, rules and menus.
        """
        declared = list(super().get_autocomplete_fields(request))  # type: ignore[misc]
        big = [
            field.name
            for field in self.model._meta.fields  # type: ignore[attr-defined]
            if field.is_relation
            and field.related_model is not None
            and field.related_model._meta.label_lower in AUTOCOMPLETE_MODELS
            and field.name not in declared
        ]
        return declared + big

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = JunkProofAutocompleteSelect(
                db_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        self._scope_choices(field, db_field, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        self._scope_choices(field, db_field, request)
        return field

    def _scope_choices(self, field, db_field, request) -> None:
        """Offer only the caller's own projects' objects (editable projects for `project`)."""
        if field is None:
            return
        roles = self.edit_roles if db_field.related_model is Project else None
        field.queryset = scope_to_user(field.queryset, request.user, roles)


class TenantScopedAdmin(TenantScopedChoices, admin.ModelAdmin):
    """Scopes lists, object pages, dropdowns and autocompletes to the staff user's projects.

    `edit_roles` are the membership roles allowed to add, change and delete; any member may view.
    A staff user with one project finds it chosen on add forms.
    """

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user)

    def get_fieldsets(self, request, obj=None):
        """A page the caller may only read leaves out the model's `write_only_fields` (secrets):
        Django would show their stored values as text there."""
        fieldsets = super().get_fieldsets(request, obj)
        hidden = set(getattr(self.model, "write_only_fields", ()))
        may_write = (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        )
        if not hidden or may_write:
            return fieldsets
        return [
            (name, {**options, "fields": _without(options["fields"], hidden)})
            for name, options in fieldsets
        ]

    def get_list_filter(self, request):
        """Every filter naming a related model lists only the caller's own projects' rows
        (Django's own related-field filter would list every tenant's)."""
        return [_scoped_filter(self.model, entry) for entry in super().get_list_filter(request)]

    hide_single_project = True  # lists leave out the project column for staff with one project
    tenant_scoped = True  # the admin site leaves these to staff (portal.admin.site.PortalAdminSite)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if (
            self.hide_single_project
            and "project" in columns
            and not request.user.is_superuser
            and len(project_ids_for(request.user)) == 1
        ):
            columns.remove("project")
        return columns

    def changelist_view(self, request, extra_context=None):
        """A filter value the database cannot compare (`?created_at__year=0`) is Django admin's
        "bad filter" redirect (`?e=1`), as for any other bad lookup, not a 500."""
        try:
            return super().changelist_view(request, extra_context)
        except (ValueError, OverflowError):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")

    def get_actions(self, request):
        """Only the actions the caller may take: each declares the permission it needs
        (`@admin.action(permissions=[...])`, checked per role by Django); one that declares none
        is offered to superusers only, so a new action cannot reach viewers by omission."""
        actions = super().get_actions(request)
        if request.user.is_superuser:
            return actions
        return {
            name: action
            for name, action in actions.items()
            if action is not None and getattr(action[0], "allowed_permissions", None)
        }

    def _edits_all_its_projects(self, request) -> bool:
        user = request.user
        return user.is_superuser or project_ids_for(user) == project_ids_for(user, self.edit_roles)

    def get_changelist_instance(self, request):
        """Staff who only view some of their projects get no editable list columns: the list
        mixes rows they may change with rows they may not."""
        changelist = super().get_changelist_instance(request)
        if changelist.list_editable and not self._edits_all_its_projects(request):
            changelist.list_editable = ()
        return changelist

    def save_form(self, request, form, change):
        """Every saved row is checked against its own project (list rows too, not only pages)."""
        if change and not self.has_change_permission(request, form.instance):
            raise PermissionDenied
        return super().save_form(request, form, change)

    def get_deleted_objects(self, objs, request):
        """ "Delete selected" over rows of a project the caller may not change asks for a
        permission they lack (Django then refuses), instead of deleting them. What the page
        lists is read in a few queries (portal.admin.delete_pages)."""
        deleted, counts, perms_needed, protected = deleted_objects(objs, request, self.admin_site)
        if not all(self.has_delete_permission(request, obj) for obj in objs):
            perms_needed = {*perms_needed, str(self.opts.verbose_name)}
        return deleted, counts, perms_needed, protected

    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and user_may(request.user, None, MEMBER_ROLES)
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or user_may(request.user, obj, MEMBER_ROLES)
        )

    def has_add_permission(self, request):
        return request.user.is_staff and user_may(request.user, None, self.edit_roles)

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff and user_may(request.user, obj, self.edit_roles)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "project" in [f.name for f in self.model._meta.fields] and "project" not in initial:
            editable = list(projects_for(request.user, self.edit_roles)[:2])
            if len(editable) == 1:
                initial["project"] = str(editable[0].pk)
        return initial


class ReadOnlyScopedAdmin(TenantScopedAdmin):
    """A log: whoever may see a project's rows reads them; nobody adds, changes or deletes them
    in the admin (retention commands remove them)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChosenRowsReadOnce:
    """An inline formset whose rows' autocompletes read their chosen rows together."""

    @cached_property
    def forms(self):
        forms = super().forms  # type: ignore[misc]
        remember_chosen_rows(forms)
        return forms


class TenantScopedInline(TenantScopedChoices, admin.TabularInline):
    """Rows edited on a tenant object's page (menu keys, group members): the parent's roles apply.

    `obj` is the parent object, already scoped by its own admin (None on its add page).
    A post may not claim more rows than `max_num` (Django would otherwise build and validate up
    to 1,000 more forms for a forged TOTAL_FORMS, seconds of work per request).
    """

    def get_formset(self, request, obj=None, **kwargs):
        max_num = self.get_max_num(request, obj, **kwargs)
        if max_num is not None:
            kwargs.setdefault("absolute_max", max_num)
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (ChosenRowsReadOnce, formset), {})

    def get_queryset(self, request):
        """Rows come with the rows they point to: a row's label names some of them (an IVR
        key's menu, a member's group and app user), read in the same query, not once per row."""
        forward = [f.name for f in self.model._meta.concrete_fields if f.is_relation]
        return super().get_queryset(request).select_related(*forward)

    def has_view_permission(self, request, obj=None):
        return user_may(request.user, obj, MEMBER_ROLES)

    def has_add_permission(self, request, obj=None):
        return user_may(request.user, obj, self.edit_roles)

    def has_change_permission(self, request, obj=None):
        return user_may(request.user, obj, self.edit_roles)

    def has_delete_permission(self, request, obj=None):
        return user_may(request.user, obj, self.edit_roles)


def _without(fields: Sequence, hidden: set[str]) -> list:
    """`fields` of a fieldset (names, or tuples of names shown on one line) less `hidden`."""
    kept: list = []
    for field in fields:
        if isinstance(field, list | tuple):
            line = [name for name in field if name not in hidden]
            if line:
                kept.append(tuple(line))
        elif field not in hidden:
            kept.append(field)
    return kept


def _scoped_filter(model: type[Model], entry):
    """`entry` of a list_filter, with Django's related-field filter swapped for the scoped one."""
    if isinstance(entry, str):
        name, filter_class = entry, None
    elif isinstance(entry, tuple | list) and len(entry) == 2 and isinstance(entry[0], str):
        name, filter_class = entry
    else:
        return entry  # a SimpleListFilter: its own lookups() scope what it lists
    if filter_class is not None and (
        not isinstance(filter_class, type)
        or not issubclass(filter_class, admin.RelatedFieldListFilter)
        or issubclass(filter_class, ProjectScopedListFilter | admin.RelatedOnlyFieldListFilter)
    ):
        # A choices, date, boolean or empty-value filter lists no rows; the related-only one
        # lists those of the scoped list itself; the scoped one is this.
        return entry
    field = _field_at(model, name)
    if field is None or not field.is_relation:
        return entry
    return (name, ProjectScopedListFilter)


def _field_at(model: type[Model], path: str):
    """The field `path` ("call__virtual_number") names from `model`, or None."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:  # not a field: a lookup Django resolves itself
            return None
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


class ProjectScopedListFilter(admin.RelatedFieldListFilter):
    """A project filter listing the projects the caller may see, read from the projects table
    (never by scanning the listed table for the projects it holds: a call log of millions of
    rows would be read whole for it).

    Staff of a single project have nothing to choose: they get no project filter, and it runs
    no query for them. Nor does a portal of more than MAX_LISTED_PROJECTS projects list them all
    for its superusers: the filter then shows (and applies) only a project the address names.
    """

    MAX_LISTED_PROJECTS = 100
    MAX_LISTED_ROWS = 200  # numbers, users, rules... of the caller's projects (search finds more)

    def field_choices(self, field, request, model_admin):
        user = request.user
        if field.related_model is not Project:
            return self._scoped_rows(field, request, model_admin)
        if not user.is_superuser and len(project_ids_for(user)) == 1:
            return []
        projects = projects_for(user).order_by("name").values_list("pk", "name")
        listed = list(projects[: self.MAX_LISTED_PROJECTS + 1])
        if len(listed) <= self.MAX_LISTED_PROJECTS:
            return listed
        chosen = [value for value in self.lookup_val or [] if str(value).isdigit()]
        return list(projects.filter(pk__in=chosen))  # only the one the address names, if any

    def _scoped_rows(self, field, request, model_admin) -> list:
        """(key, label) of the related rows the caller may see, at most MAX_LISTED_ROWS: the
        caller's own projects' rows, or for a model all tenants share (staff accounts) those the
        caller's own list points to."""
        related = field.related_model
        if is_shared(related):
            return admin.RelatedOnlyFieldListFilter.field_choices(self, field, request, model_admin)
        rows = scope_to_user(related._default_manager.all(), request.user)
        ordering = related._meta.ordering or [related._meta.pk.name]
        listed = list(rows.order_by(*ordering)[: self.MAX_LISTED_ROWS])
        key = field.target_field.attname
        return [(getattr(row, key), str(row)) for row in listed]

    def has_output(self) -> bool:
        """Shown, and so applied, whenever the address names a project (Django drops a filter
        with fewer than two choices, and with it the address's project)."""
        return super().has_output() or bool(self.lookup_val)
