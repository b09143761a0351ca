"""Files in and out (Excel import/export, PDF): kept apart from the screens. Included at /orders/ without a
namespace, hence the `order_` prefix of the names."""

from django.urls import path

from gendan.orders import views_io

urlpatterns: list = [
    path("import/", views_io.order_import, name="order_import"),
    path("import/template.xlsx", views_io.order_import_template, name="order_import_template"),
    path("export.xlsx", views_io.order_export, name="order_export"),
    path("<int:pk>/notice.pdf", views_io.order_notice_pdf, name="order_notice_pdf"),
]
