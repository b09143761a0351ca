"""Files out for reviews: the customer order review form (客户订单评审表) as PDF."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from gendan.core.audit import audit_record
from gendan.core.errors import NotFoundError
from gendan.core.pdf import pdf_response
from gendan.orders.models import OrderEvent
from gendan.orders.services import order_event_record
from gendan.reviews.pdf import REVIEW_FORM_DOCUMENT, review_form_pdf
from gendan.reviews.selectors import review_get


@login_required
@require_GET
def review_form_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        review = review_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    content = review_form_pdf(review=review, printed_by=request.user)
    order_event_record(
        order=review.order,
        type=OrderEvent.Type.PRINTED,
        actor=request.user,
        data={"document": REVIEW_FORM_DOCUMENT, "review": review.pk, "round": review.round},
    )
    audit_record(
        actor=request.user,
        action="print",
        what="review_form",
        object_ref=f"{review.order.number}/{review.round}",
        data={"document": REVIEW_FORM_DOCUMENT, "review": review.pk},
        request=request,
    )
    return pdf_response(content, filename=f"客户订单评审表-{review.order.number}-{review.round}.pdf")
