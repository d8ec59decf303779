from django.urls import path

from envgov.apps.complaints import views

urlpatterns = [
    path("", views.order_list, name="complaint_list"),
    path("orders/<int:order_id>/", views.order_detail, name="complaint_detail"),
    path("orders/<int:order_id>/assign/", views.order_assign, name="complaint_assign"),
    path("orders/<int:order_id>/sign/", views.order_sign, name="complaint_sign"),
    path("orders/<int:order_id>/reply/", views.order_reply, name="complaint_reply"),
    path("orders/<int:order_id>/visit/", views.order_visit, name="complaint_visit"),
    path("orders/<int:order_id>/correct/", views.order_correct, name="complaint_correct"),
    path("orders/<int:order_id>/reopen/", views.order_reopen, name="complaint_reopen"),
    path("import/", views.order_import, name="complaint_import"),
    path("import/template.xlsx", views.import_template, name="complaint_import_template"),
    path("rules/", views.category_rules, name="complaint_rules"),
    path("parameters/", views.parameters, name="complaint_parameters"),
    path("parameters/save/", views.parameters_save, name="complaint_parameters_save"),
    path("rates/", views.rates, name="complaint_rates"),
    path("rates.xlsx", views.rates_xlsx, name="complaint_rates_xlsx"),
    path("repeats/supervise/", views.repeat_supervise, name="complaint_repeat_supervise"),
]
