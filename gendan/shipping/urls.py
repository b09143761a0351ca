from django.urls import path

from gendan.shipping import views

app_name = "shipping"
urlpatterns = [
    path("", views.shipment_list_view, name="list"),
    path("new/<int:order_pk>/", views.shipment_create_view, name="create"),
    path("<int:pk>/", views.shipment_detail_view, name="detail"),
    path("<int:pk>/receive/", views.shipment_receive_view, name="receive"),
    path("<int:pk>/cancel/", views.shipment_cancel_view, name="cancel"),
    path("<int:pk>/<slug:document>.pdf", views.shipment_document_view, name="document"),
    path("samples/", views.sample_list_view, name="samples"),
    path("samples/<int:pk>/", views.sample_detail_view, name="sample_detail"),
]
