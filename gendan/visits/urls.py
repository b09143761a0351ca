from django.urls import path

from gendan.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list_view, name="list"),
    path("satisfaction/", views.satisfaction_view, name="satisfaction"),
    path("<int:pk>/", views.visit_detail_view, name="detail"),
]
