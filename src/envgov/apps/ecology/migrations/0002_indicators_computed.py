"""The ecology, carbon and soil indicators are computed by the platform (decision 0036): mark them so in
databases whose catalogue was loaded before (the catalogue file says so for new ones)."""
from django.db import migrations

CODES = ("ei", "carbon_intensity_decline", "farmland_safe_use_rate", "land_safe_use_rate")


def forwards(apps, schema_editor):  # noqa: ANN001
    apps.get_model("plans", "Indicator").objects.filter(code__in=CODES).update(computed=True)


class Migration(migrations.Migration):
    dependencies = [("ecology", "0001_initial"), ("plans", "0002_indicator_catalogue")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
