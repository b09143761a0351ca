from django.urls import path

from gendan.materials import views

app_name = "materials"
urlpatterns = [
    path("", views.material_list_view, name="list"),
    path("new/", views.material_create_view, name="create"),
    path("<int:pk>/", views.material_detail_view, name="detail"),
    path("<int:pk>/adjust/", views.material_adjust_view, name="adjust"),
    path("bom/<int:product_pk>/", views.bom_view, name="bom"),
    path("bom/lines/<int:pk>/remove/", views.bom_line_remove_view, name="bom_remove"),
    path("requests/", views.request_list_view, name="requests"),
    path("purchase-orders/", views.purchase_order_list_view, name="po_list"),
    path("purchase-orders/new/", views.purchase_order_create_view, name="po_create"),
    path("purchase-orders/<int:pk>/", views.purchase_order_detail_view, name="po_detail"),
    path("purchase-orders/<int:pk>/expected/", views.purchase_order_expected_view, name="po_expected"),
    path("purchase-orders/<int:pk>/cancel/", views.purchase_order_cancel_view, name="po_cancel"),
    path("purchase-orders/lines/<int:pk>/receive/", views.purchase_receive_view, name="po_receive"),
    path("orders/<int:order_pk>/", views.order_materials_view, name="order"),
    path("scan/", views.scan_view, name="scan"),
]
