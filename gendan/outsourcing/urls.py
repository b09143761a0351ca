from django.urls import path

from gendan.outsourcing import views

app_name = "outsourcing"
urlpatterns = [
    path("", views.outsourcing_list, name="list"),
    path("statement/", views.statement, name="statement"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("orders/<int:order_id>/", views.order_outsourcing, name="order"),
    path("orders/<int:order_id>/new/", views.outsourcing_order_new, name="new"),
    path("plan/<int:pk>/cancel/", views.plan_item_cancel, name="plan_cancel"),
    path("<int:pk>/", views.outsourcing_order_detail, name="detail"),
    path("<int:pk>/edit/", views.outsourcing_order_edit, name="edit"),
    path("<int:pk>/pdf/", views.outsourcing_order_pdf_view, name="pdf"),
    path("<int:pk>/<slug:action>/", views.outsourcing_order_action, name="action"),
]
