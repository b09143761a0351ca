from django.urls import path

from gendan.followup import views

app_name = "followup"
urlpatterns = [
    path("", views.today, name="today"),
    path("plans/", views.plans, name="plans"),
    path("orders/<int:order_id>/plan/", views.order_plan, name="order_plan"),
    path("orders/<int:order_id>/plan/generate/", views.plan_generate, name="plan_generate"),
    path("orders/<int:order_id>/records/", views.order_records, name="order_records"),
    path("orders/<int:order_id>/shipment/", views.shipment_confirm, name="shipment_confirm"),
    path("milestones/<int:pk>/move/", views.milestone_move, name="milestone_move"),
    path("milestones/<int:pk>/actual/", views.milestone_actual, name="milestone_actual"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("missed/", views.missed, name="missed"),
    path("risk/", views.risk, name="risk"),
    path("concealment/", views.concealment, name="concealment"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("exceptions/new/", views.exception_new, name="exception_new"),
    path("exceptions/<int:pk>/", views.exception_detail, name="exception_detail"),
    path(
        "exceptions/<int:pk>/<str:action>/",
        views.exception_action,
        name="exception_action",
    ),
    path("daily/", views.daily, name="daily"),
    path("weekly/", views.weekly, name="weekly"),
]
