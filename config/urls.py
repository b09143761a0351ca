from django.contrib import admin
from django.urls import include, path

from gendan.core.api import api
from gendan.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("gendan.accounts.urls")),
    path("customers/", include("gendan.parties.urls")),
    path("customers/", include("gendan.parties.urls_io")),
    path("products/", include("gendan.catalog.urls")),
    path("products/", include("gendan.catalog.urls_io")),
    path("orders/", include("gendan.orders.urls")),
    path("orders/", include("gendan.orders.urls_io")),
    path("reviews/", include("gendan.reviews.urls")),
    path("reviews/", include("gendan.reviews.urls_io")),
    path("inbox/", include("gendan.notify.urls")),
    path("followup/", include("gendan.followup.urls")),
    path("materials/", include("gendan.materials.urls")),
    path("capacity/", include("gendan.capacity.urls")),
    path("outsourcing/", include("gendan.outsourcing.urls")),
    path("quality/", include("gendan.quality.urls")),
    path("quotes/", include("gendan.quotes.urls")),
    path("shipping/", include("gendan.shipping.urls")),
    path("ledger/", include("gendan.ledger.urls")),
    path("complaints/", include("gendan.complaints.urls")),
    path("files/", include("gendan.files.urls")),
    path("visits/", include("gendan.visits.urls")),
    path("performance/", include("gendan.performance.urls")),
    path("reassignments/", include("gendan.reassignments.urls")),
    path("changes/", include("gendan.changes.urls")),
    path("discussion/", include("gendan.discussion.urls")),
    path("exports/", include("gendan.exports.urls")),
    path("", include("gendan.core.urls")),
]

# No MEDIA_URL route in any mode (DEBUG included): uploads are served only by the scope-checked views of the
# apps that own them (complaint and progress photos, gendan.files attachments), each download audited.
