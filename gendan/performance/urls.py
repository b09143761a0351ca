from django.urls import path

from gendan.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.team, name="team"),
    path("refresh/", views.team_refresh, name="team_refresh"),
    path("export.xlsx", views.team_export, name="team_export"),
    path("scores/<int:pk>/", views.scorecard, name="scorecard"),
    path("scores/<int:pk>/sign/", views.score_sign, name="score_sign"),
    path("scores/<int:pk>/export.xlsx", views.scorecard_export, name="scorecard_export"),
    path("violations/", views.violations, name="violations"),
    path("violations/new/", views.violation_new, name="violation_new"),
    path("violations/<int:pk>/<str:action>/", views.violation_action, name="violation_action"),
    path("bonus/<int:year>/", views.bonus, name="bonus"),
    path("bonus/<int:year>/<int:user_id>/approve/", views.bonus_approve, name="bonus_approve"),
    path("handovers/", views.handovers, name="handovers"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover"),
]
