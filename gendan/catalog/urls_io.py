"""Files in and out (Excel import): kept apart from the screens. Included at /products/ without a namespace,
hence the `product_` prefix of the names."""

from django.urls import path

from gendan.catalog import views_io

urlpatterns: list = [
    path("import/", views_io.product_import, name="product_import"),
    path("import/template.xlsx", views_io.product_import_template, name="product_import_template"),
]
