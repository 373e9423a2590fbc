"""Indexes that repeat the start of another: dropped, so every event updates fewer of them.

The foreign keys stay as they are in the database (only their own index goes): Django would
drop and re-add the constraint, which checks every row of the call tables again.
"""

import django.db.models.deletion
from django.db import migrations, models

FK_INDEXES = {
    "callevent": ("calls_callevent", "calls_callevent_project_id_40ebbf75"),
    "callrecord": ("calls_callrecord", "calls_callrecord_project_id_2a532087"),
}


def _fk_without_index(model_name: str, related_name: str) -> migrations.SeparateDatabaseAndState:
    table, index = FK_INDEXES[model_name]
    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AlterField(
                model_name=model_name,
                name="project",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name=related_name,
                    to="portal.project",
                    verbose_name="project",
                ),
            )
        ],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("project_id")',
            )
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0006_daily_rollups"),
        ("portal", "0009_export"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="callrecord",
            name="call_record_project_started",
        ),
        _fk_without_index("callevent", "call_events"),
        _fk_without_index("callrecord", "call_records"),
    ]
