from django.urls import path

from gendan.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.ledger_list_view, name="list"),
    path("export.xlsx", views.ledger_export_view, name="export"),
    path("month-end/", views.month_end_view, name="month_end"),
    path("balances/", views.balances_view, name="balances"),
    path("reconcile/", views.reconcile_view, name="reconcile"),
    path("invoices/", views.invoice_list_view, name="invoices"),
    path("invoices/new/", views.invoice_create_view, name="invoice_create"),
    path("invoices/<int:pk>/", views.invoice_detail_view, name="invoice_detail"),
    path("invoices/<int:pk>/invoice.pdf", views.invoice_pdf_view, name="invoice_pdf"),
    path("invoices/<int:pk>/cancel/", views.invoice_cancel_view, name="invoice_cancel"),
    path("payments/", views.payment_list_view, name="payments"),
    path("payments/new/", views.payment_create_view, name="payment_create"),
    path("receivables/", views.receivables_view, name="receivables"),
    path("receivables.xlsx", views.receivables_export_view, name="receivables_export"),
    path("dunning/", views.dunning_view, name="dunning"),
]
