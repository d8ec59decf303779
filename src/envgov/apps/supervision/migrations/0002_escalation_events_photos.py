# 督办 climbs 经办 → 科室负责人 → 分管领导; every step is a timeline event; a response carries photos.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill_timeline(apps, schema_editor):  # noqa: ANN001
    """Items opened before the timeline existed get the steps their own fields record."""
    import datetime as dt

    from django.utils import timezone

    Item = apps.get_model("supervision", "SupervisionItem")
    Event = apps.get_model("supervision", "SupervisionEvent")
    for item in Item.objects.all().iterator():
        opened_at = timezone.make_aware(dt.datetime.combine(item.opened_on, dt.time(8, 0)))
        Event.objects.create(item=item, kind="reopened" if item.reopens_id else "opened", level=0,
                             actor_id=item.created_by_id, note=item.reopen_reason or item.detail, at=opened_at)
        if item.responded_at:
            Event.objects.create(item=item, kind="responded", level=0, actor_id=item.responded_by_id,
                                 note=item.response, at=item.responded_at)
        if item.closed_at:
            Event.objects.create(item=item, kind="closed", level=0, actor_id=item.closed_by_id,
                                 note=item.closure_note, at=item.closed_at)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_unit_leader_role'),
        ('geo', '0002_town_active'),
        ('plans', '0007_supervision_moves_out'),
        ('supervision', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SupervisionEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('opened', '发起督办'), ('reopened', '重新督办'), ('escalated', '逾期未反馈，升级督办'), ('responded', '反馈整改情况'), ('closed', '销号')], max_length=10, verbose_name='环节')),
                ('level', models.PositiveSmallIntegerField(choices=[(0, '经办人员'), (1, '科室负责人'), (2, '分管领导')], default=0, verbose_name='督办层级')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('at', models.DateTimeField(verbose_name='时间')),
            ],
            options={
                'verbose_name': '督办记录',
                'verbose_name_plural': '督办记录',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='SupervisionPhoto',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(upload_to='supervision/responses/%Y/%m/', verbose_name='文件')),
                ('name', models.CharField(max_length=200, verbose_name='文件名')),
                ('size', models.PositiveIntegerField(default=0)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': '反馈照片',
                'verbose_name_plural': '反馈照片',
                'ordering': ['uploaded_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='supervisionitem',
            name='escalated_on',
            field=models.DateField(blank=True, null=True, verbose_name='升级日期'),
        ),
        migrations.AddField(
            model_name='supervisionitem',
            name='escalation_level',
            field=models.PositiveSmallIntegerField(choices=[(0, '经办人员'), (1, '科室负责人'), (2, '分管领导')], default=0, verbose_name='督办层级'),
        ),
        migrations.AddConstraint(
            model_name='supervisionitem',
            constraint=models.UniqueConstraint(condition=models.Q(('source', 'manual'), _negated=True), fields=('task', 'party', 'source', 'period'), name='uniq_supervision_cause_period'),
        ),
        migrations.AddField(
            model_name='supervisionevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='办理人'),
        ),
        migrations.AddField(
            model_name='supervisionevent',
            name='item',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='supervision.supervisionitem', verbose_name='督办事项'),
        ),
        migrations.AddField(
            model_name='supervisionphoto',
            name='event',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='supervision.supervisionevent'),
        ),
        migrations.AddField(
            model_name='supervisionphoto',
            name='item',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='supervision.supervisionitem', verbose_name='督办事项'),
        ),
        migrations.AddField(
            model_name='supervisionphoto',
            name='uploaded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(backfill_timeline, migrations.RunPython.noop),
    ]
