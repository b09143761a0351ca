from django.urls import path

from gendan.reassignments import views

app_name = "reassignments"

urlpatterns = [
    path("", views.reassignment_new_view, name="new"),
    path("<int:pk>/", views.reassignment_detail_view, name="detail"),
]
