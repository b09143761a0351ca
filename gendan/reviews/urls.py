from django.urls import path

from gendan.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.review_list_view, name="list"),
    path("batch/", views.review_batch_view, name="batch"),
    path("<int:pk>/", views.review_detail_view, name="detail"),
    path("<int:pk>/items/<int:item_pk>/sign/", views.review_item_sign_view, name="sign"),
    path("<int:pk>/approve/", views.review_approve_view, name="approve"),
    path("<int:pk>/reject/", views.review_reject_view, name="reject"),
]
