from django.urls import path

from gendan.changes import views

app_name = "changes"

urlpatterns = [
    path("", views.change_request_list, name="list"),
    path("<int:pk>/", views.change_request_detail, name="detail"),
    path("<int:pk>/items/<int:item_pk>/sign", views.change_request_sign_view, name="sign"),
    path("<int:pk>/<str:action>", views.change_request_action, name="action"),
    path("orders/<int:order_pk>/new", views.change_request_new, name="new"),
    path("orders/<int:order_pk>/revisions/", views.order_revisions, name="revisions"),
]
