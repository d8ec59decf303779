# SupervisionItem now belongs to envgov.apps.supervision (its 0001 takes the state over; the table stays).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0006_target_entered_actual"),
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SupervisionItem")],
            database_operations=[],
        ),
    ]
