from django.urls import path

from gendan.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.inspections, name="list"),
    path("aql/", views.aql_calculator, name="aql"),
    path("orders/<int:order_id>/", views.order_quality, name="order"),
    path("orders/<int:order_id>/new/", views.inspection_new, name="new"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.inspection_action, name="action"),
]
