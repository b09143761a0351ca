from django.urls import path

from gendan.capacity import views

app_name = "capacity"
urlpatterns = [
    path("", views.load_view, name="load"),
    path("run/", views.run_view, name="run"),
    path("schedule/", views.schedule_view, name="schedule"),
    path("work-centres/", views.work_centres_view, name="work_centres"),
    path("work-centres/<int:pk>/", views.work_centre_edit_view, name="work_centre_edit"),
    path("routes/<int:product_pk>/", views.route_view, name="route"),
]
