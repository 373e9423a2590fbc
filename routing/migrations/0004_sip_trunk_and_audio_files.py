"""SIP destinations become a Stringee SIP trunk + number; "play" fields hold a file name or a URL.

Stringee has no `sip` endpoint type: a SIP destination is an external endpoint with a
`sipTrunkId`. The old free-text SIP address keeps its user part as the number to dial; the
trunk id is left blank, so such a rule is skipped by routing (and refused on its next save)
until staff enter the trunk id.
"""

import re

from django.db import migrations, models

DESTINATION_MODELS = ["routingrule", "ivrmenu", "ivroption", "ringgroup"]


def keep_user_part(apps, schema_editor):
    for name in DESTINATION_MODELS:
        model = apps.get_model("routing", name)
        for row in model.objects.exclude(destination_sip="").only("pk", "destination_sip"):
            match = re.match(r"^(?:sips?:)?([^@;]+)", row.destination_sip.strip())
            number = (match.group(1) if match else "")[:32]
            model.objects.filter(pk=row.pk).update(destination_sip_number=number)


class Migration(migrations.Migration):
    dependencies = [("routing", "0003_field_validators_mirror_checks")]

    operations = [
        *[
            migrations.AddField(
                model_name=name,
                name="destination_sip_trunk",
                field=models.CharField(blank=True, max_length=64, verbose_name="SIP trunk id"),
            )
            for name in DESTINATION_MODELS
        ],
        *[
            migrations.AddField(
                model_name=name,
                name="destination_sip_number",
                field=models.CharField(blank=True, max_length=32, verbose_name="number on the trunk"),
            )
            for name in DESTINATION_MODELS
        ],
        migrations.RunPython(keep_user_part, migrations.RunPython.noop),
        *[migrations.RemoveField(model_name=name, name="destination_sip") for name in DESTINATION_MODELS],
        *[
            migrations.RenameField(model_name=name, old_name="message_play_url", new_name="message_audio")
            for name in DESTINATION_MODELS
        ],
        migrations.RenameField(model_name="ivrmenu", old_name="greeting_play_url", new_name="greeting_audio"),
    ]
