"""Files in and out (PDF): kept apart from the screens. Included at /reviews/ without a namespace, hence the
`review_` prefix of the names."""

from django.urls import path

from gendan.reviews import views_io

urlpatterns: list = [
    path("<int:pk>/form.pdf", views_io.review_form_pdf_view, name="review_form_pdf"),
]
