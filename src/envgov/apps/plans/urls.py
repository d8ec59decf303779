from django.urls import path

from envgov.apps.plans import ledger_xlsx, views, views_files, views_import

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/import/", views_import.plan_import, name="plan_import"),
    path("plans/import/<int:draft_id>/", views_import.plan_draft, name="plan_draft"),
    path("plans/<int:plan_id>/", views.plan_overview, name="plan_overview"),
    path("plans/<int:plan_id>/issue/", views.issue_plan, name="plan_issue"),
    path("plans/<int:plan_id>/close/", views.close_plan, name="plan_close"),
    path("plans/<int:plan_id>/tasks/", views.task_list, name="task_list"),
    path("plans/<int:plan_id>/tasks/export.xlsx", ledger_xlsx.ledger_export, name="ledger_export"),
    path("plans/<int:plan_id>/tasks/import/", ledger_xlsx.ledger_import, name="ledger_import"),
    path("plans/<int:plan_id>/tasks/import/errors.xlsx", ledger_xlsx.ledger_import_errors, {"fmt": "xlsx"},
         name="ledger_import_errors_xlsx"),
    path("plans/<int:plan_id>/tasks/import/errors.csv", ledger_xlsx.ledger_import_errors, {"fmt": "csv"},
         name="ledger_import_errors_csv"),
    path("plans/<int:plan_id>/reviews/", views.review_queue, name="review_queue"),
    path("plans/<int:plan_id>/reminders/", views.reminders, name="reminders"),
    path("plans/<int:plan_id>/reporting/", views.plan_reporting, name="plan_reporting"),
    path("targets/<int:target_id>/actual/", views.target_actual, name="target_actual"),
    path("plans/<int:plan_id>/assessment/", views.assessment, name="assessment"),
    path("plans/<int:plan_id>/assessment/export.xlsx", views.assessment_export, name="assessment_export"),
    path("my/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/comment/", views.task_comment, name="task_comment"),
    path("tasks/<int:task_id>/close/", views.task_close, name="task_close"),
    path("reports/<int:report_id>/withdraw/", views.withdraw_report, name="withdraw_report"),
    path("reports/<int:report_id>/review/", views.review_report, name="review_report"),
    path("attachments/<int:attachment_id>/", views_files.attachment_download, name="attachment_download"),
]
