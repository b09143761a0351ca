from django.urls import path

from gendan.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/download/", views.job_download, name="download"),
    path("<int:pk>/cancel/", views.job_cancel, name="cancel"),
]
