from django.db import migrations, models


def states(apps, schema_editor):
    ObservationImport = apps.get_model("monitoring", "ObservationImport")
    ObservationImport.objects.filter(accepted=True).update(state="accepted")
    ObservationImport.objects.filter(accepted=False).update(state="refused")


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0004_station_active_district_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="observationimport",
            name="state",
            field=models.CharField(choices=[("pending", "未完成"), ("accepted", "已入库"), ("refused", "未通过校验"),
                                            ("undone", "已撤销")], default="pending", max_length=10,
                                   verbose_name="状态"),
        ),
        migrations.AddField(
            model_name="observationimport",
            name="lake_import_id",
            field=models.CharField(blank=True, max_length=40, verbose_name="数据湖提交"),
        ),
        migrations.AddField(
            model_name="observationimport",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="完成时间"),
        ),
        migrations.RunPython(states, migrations.RunPython.noop),
    ]
