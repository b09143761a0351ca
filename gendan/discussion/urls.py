from django.urls import path

from gendan.discussion import views

app_name = "discussion"
urlpatterns = [
    path("comments/<int:pk>/edit/", views.comment_edit_view, name="edit"),
    path("comments/<int:pk>/withdraw/", views.comment_withdraw_view, name="withdraw"),
    path("<slug:owner_type>/<int:owner_id>/", views.comment_post_view, name="post"),
]
