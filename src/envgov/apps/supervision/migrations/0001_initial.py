# The item table moves from the plans app without moving a row: the state is created here and deleted
# there (plans 0007); the database table keeps its name, plans_supervisionitem.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("plans", "0006_target_entered_actual"),
        ("accounts", "0002_manage_fields"),
        ("geo", "0002_town_active"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SupervisionItem",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("source", models.CharField(choices=[("overdue", "逾期未完成"), ("lagging", "进度滞后"), ("manual", "人工督办")], max_length=10, verbose_name="来源")),
                        ("period", models.CharField(blank=True, help_text="发现问题的填报期", max_length=7, verbose_name="检查期")),
                        ("reopen_reason", models.TextField(blank=True, verbose_name="重新督办原因")),
                        ("title", models.CharField(max_length=300, verbose_name="事项")),
                        ("detail", models.TextField(blank=True, verbose_name="说明")),
                        ("opened_on", models.DateField(verbose_name="发起日期")),
                        ("due_date", models.DateField(verbose_name="反馈时限")),
                        ("status", models.CharField(choices=[("open", "督办中"), ("responded", "已反馈"), ("closed", "已销号")], default="open", max_length=10, verbose_name="状态")),
                        ("response", models.TextField(blank=True, verbose_name="整改反馈")),
                        ("responded_at", models.DateTimeField(blank=True, null=True)),
                        ("closure_note", models.TextField(blank=True, verbose_name="销号说明")),
                        ("closure_evidence", models.FileField(blank=True, upload_to="supervision/", verbose_name="销号佐证")),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        ("version", models.PositiveIntegerField(default=1)),
                        ("addressee_town", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to="geo.town", verbose_name="督办街乡镇")),
                        ("addressee_unit", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to="accounts.unit", verbose_name="督办单位")),
                        ("closed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("party", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="supervision_items", to="plans.taskparty", verbose_name="责任方")),
                        ("plan", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="supervision_items", to="plans.plan", verbose_name="计划")),
                        ("reopens", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="reopened_by", to="supervision.supervisionitem", verbose_name="重新督办自")),
                        ("responded_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("task", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="supervision_items", to="plans.task", verbose_name="任务")),
                    ],
                    options={
                        "verbose_name": "督办事项",
                        "verbose_name_plural": "督办事项",
                        "ordering": ["status", "due_date"],
                        "db_table": "plans_supervisionitem",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
