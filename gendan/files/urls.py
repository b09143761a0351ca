from django.urls import path

from gendan.files import views

app_name = "files"

urlpatterns = [
    path("<int:pk>/", views.download_view, name="download"),
    path("<int:pk>/withdraw/", views.withdraw_view, name="withdraw"),
    path("<slug:owner_type>/<int:owner_id>/", views.upload_view, name="upload"),
]
