"""Copy the rows of the old plans.AuditLog (plan foreign key, model name as text) into audit.AuditLog
(generic subject), keeping ids and times. The subject's content type is found from the model name; the
district from the plan, else the subject's own district, else the actor's."""
from django.core.management.color import no_style
from django.db import migrations


def _district_of(apps, row, model, plan_districts, user_districts):  # noqa: ANN001
    if row.plan_id:
        return plan_districts.get(row.plan_id)
    if model is not None and any(f.name == "district" for f in model._meta.concrete_fields):
        found = model._default_manager.filter(pk=row.object_id).values_list("district_id", flat=True).first()
        if found:
            return found
    return user_districts.get(row.actor_id)


def copy_rows(apps, schema_editor):  # noqa: ANN001
    Old = apps.get_model("plans", "AuditLog")
    New = apps.get_model("audit", "AuditLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Plan = apps.get_model("plans", "Plan")
    User = apps.get_model("accounts", "User")
    alias = schema_editor.connection.alias
    models_by_name: dict[str, object] = {}
    for model in apps.get_models():
        models_by_name.setdefault(model._meta.model_name, model)
    plan_districts = dict(Plan.objects.using(alias).values_list("pk", "district_id"))
    user_districts = dict(User.objects.using(alias).values_list("pk", "district_id"))
    content_types: dict[str, object] = {}
    batch = []
    for row in Old.objects.using(alias).order_by("id").iterator():
        model = models_by_name.get(row.object_type)
        if row.object_type not in content_types:
            app_label = model._meta.app_label if model is not None else "plans"
            content_types[row.object_type], _ = ContentType.objects.using(alias).get_or_create(
                app_label=app_label, model=row.object_type)
        batch.append(New(
            id=row.id, at=row.at, actor_id=row.actor_id, plan_id=row.plan_id,
            district_id=_district_of(apps, row, model, plan_districts, user_districts),
            action=row.action, content_type=content_types[row.object_type], object_id=row.object_id,
            object_repr=row.object_repr, before=row.before, after=row.after, note=row.note,
        ))
    New.objects.using(alias).bulk_create(batch, batch_size=500)
    if batch:
        connection = schema_editor.connection
        for sql in connection.ops.sequence_reset_sql(no_style(), [New]):
            schema_editor.execute(sql)


def copy_back(apps, schema_editor):  # noqa: ANN001
    Old = apps.get_model("plans", "AuditLog")
    New = apps.get_model("audit", "AuditLog")
    alias = schema_editor.connection.alias
    Old.objects.using(alias).bulk_create([
        Old(id=row.id, at=row.at, actor_id=row.actor_id, plan_id=row.plan_id, action=row.action,
            object_type=row.content_type.model, object_id=row.object_id, object_repr=row.object_repr,
            before=row.before, after=row.after, note=row.note)
        for row in New.objects.using(alias).select_related("content_type").order_by("id").iterator()
    ], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("plans", "0003_plan_draft"),
        ("monitoring", "0003_air_parameters"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_rows, copy_back)]
