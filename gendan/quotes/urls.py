from django.urls import path

from gendan.quotes import views

app_name = "quotes"
urlpatterns = [
    path("", views.quotation_list_view, name="quotations"),
    path("new/", views.quotation_create_view, name="quotation_create"),
    path("<int:pk>/", views.quotation_detail_view, name="quotation_detail"),
    path("<int:pk>/revise/", views.quotation_revise_view, name="quotation_revise"),
    path("<int:pk>/action/<slug:action>/", views.quotation_action_view, name="quotation_action"),
    path("<int:pk>/quotation.pdf", views.quotation_pdf_view, name="quotation_pdf"),
    path("inquiries/", views.inquiry_list_view, name="inquiries"),
    path("inquiries/new/", views.inquiry_create_view, name="inquiry_create"),
    path("inquiries/<int:pk>/", views.inquiry_detail_view, name="inquiry_detail"),
]
