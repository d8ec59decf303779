from django.db import migrations


def load(apps, schema_editor):  # noqa: ANN001
    from envgov.apps.plans.catalogue import load_catalogue

    load_catalogue(apps.get_model("plans", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
