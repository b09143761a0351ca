"""Files in and out (Excel import/export): kept apart from the screens. Included at /customers/ without a
namespace, hence the `customer_` prefix of the names."""

from django.urls import path

from gendan.parties import views_io

urlpatterns: list = [
    path("import/", views_io.customer_import, name="customer_import"),
    path("import/template.xlsx", views_io.customer_import_template, name="customer_import_template"),
    path("export.xlsx", views_io.customer_export, name="customer_export"),
]
