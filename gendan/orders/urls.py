from django.urls import path

from gendan.orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list_view, name="list"),
    path("new/", views.order_create_view, name="create"),
    path("new/line/", views.order_line_form_view, name="line_form"),
    path("planner/", views.planner_queue_view, name="planner"),
    path("<int:pk>/", views.order_detail_view, name="detail"),
    path("<int:pk>/edit/", views.order_edit_view, name="edit"),
    path("<int:pk>/action/<slug:action>/", views.order_action_view, name="action"),
]
