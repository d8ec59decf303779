"""The engineering-reduction indicators are computed from the project library (decision 0034): mark them so in
databases whose catalogue was loaded before (the catalogue file says so for new ones)."""
from django.db import migrations

CODES = ("nox_reduction", "vocs_reduction", "cod_reduction", "nh3n_reduction")


def forwards(apps, schema_editor):  # noqa: ANN001
    apps.get_model("plans", "Indicator").objects.filter(code__in=CODES).update(computed=True)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("plans", "0002_indicator_catalogue")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
