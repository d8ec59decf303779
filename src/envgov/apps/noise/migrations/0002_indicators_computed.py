"""The functional-area noise compliance rates are computed from the measurements (decision 0035): mark them so
in databases whose catalogue was loaded before (the catalogue file says so for new ones)."""
from django.db import migrations

CODES = ("noise_day_compliance", "noise_night_compliance")


def forwards(apps, schema_editor):  # noqa: ANN001
    apps.get_model("plans", "Indicator").objects.filter(code__in=CODES).update(computed=True)


class Migration(migrations.Migration):
    dependencies = [("noise", "0001_initial"), ("plans", "0002_indicator_catalogue")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
