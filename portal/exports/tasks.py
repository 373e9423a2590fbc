"""The export job of the background worker (django-tasks; run by `manage.py run_worker`,
docs/deploy.md)."""

from __future__ import annotations

from django_tasks import task

from portal.exports.building import export_build


@task()
def build_export(export_id: int) -> str:
    """Write one export's CSV file (portal.exports.building)."""
    return export_build(export_id=export_id)
