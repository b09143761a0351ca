from django.urls import path

from gendan.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list_view, name="list"),
    path("new/", views.product_create_view, name="create"),
    path("<int:pk>/", views.product_detail_view, name="detail"),
]
