"""The portal's background jobs (django-tasks; run by `manage.py run_worker`, docs/deploy.md)."""

from __future__ import annotations

from django_tasks import task

from portal import exports


@task()
def build_export(export_id: int) -> str:
    """Write one export's CSV file (portal.exports.export_build)."""
    return exports.export_build(export_id=export_id)
