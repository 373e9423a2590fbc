"""Staff pages for the business calendar: weekly opening hours and holidays."""

from django.contrib import admin

from portal.tenancy import ProjectScopedListFilter, TenantScopedAdmin
from routing.models import Holiday, OpeningHours


@admin.register(OpeningHours)
class OpeningHoursAdmin(TenantScopedAdmin):
    list_display = ["weekday", "opens", "closes", "project"]
    list_filter = ["weekday", ("project", ProjectScopedListFilter)]
    list_select_related = ["project"]


@admin.register(Holiday)
class HolidayAdmin(TenantScopedAdmin):
    list_display = ["date", "name", "project"]
    list_filter = [("project", ProjectScopedListFilter)]
    search_fields = ["name"]
    list_select_related = ["project"]
    date_hierarchy = "date"
