"""On PostgreSQL a trigger refuses UPDATE and DELETE of audit entries, whoever sends them (raw SQL, another
program, a console). SQLite has no such guard; the model and queryset guards apply there.

TRUNCATE is left to the table owner (Django's test flush uses it); give the application's database role
no TRUNCATE privilege in production (docs/deploy.md)."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditlog is append-only: % refused (审计日志只能追加)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditlog_append_only ON audit_auditlog;
CREATE TRIGGER audit_auditlog_append_only BEFORE UPDATE OR DELETE ON audit_auditlog
    FOR EACH ROW EXECUTE FUNCTION audit_auditlog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_auditlog_append_only ON audit_auditlog;
DROP FUNCTION IF EXISTS audit_auditlog_append_only();
"""


def _on_postgresql(sql: str):  # noqa: ANN202
    def run(apps, schema_editor):  # noqa: ANN001
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # several statements: no parameter binding
    return run


class Migration(migrations.Migration):

    dependencies = [("audit", "0003_hash_chain")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
