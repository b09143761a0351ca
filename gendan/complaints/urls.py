from django.urls import path

from gendan.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list_view, name="list"),
    path("new/", views.complaint_create_view, name="create"),
    path("<int:pk>/", views.complaint_detail_view, name="detail"),
    path("<int:pk>/action/<slug:action>/", views.complaint_action_view, name="action"),
    path("<int:pk>/photos/", views.complaint_photo_view, name="photo_add"),
    path("<int:pk>/photos/<int:photo_pk>/", views.complaint_photo_file_view, name="photo"),
    path("<int:pk>/violation/", views.complaint_violation_view, name="violation"),
    path("<int:pk>/form.pdf", views.complaint_pdf_view, name="pdf"),
]
