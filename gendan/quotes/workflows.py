"""Status tables of inquiries and quotations."""

from gendan.accounts import roles as R
from gendan.core.workflow import transition_table
from gendan.quotes.models import InquiryStatus as I
from gendan.quotes.models import QuotationStatus as Q

SELLERS = (R.SALES, R.MERCHANDISER, R.SUPERVISOR, R.ADMIN)

INQUIRY_TRANSITIONS = transition_table(
    ("quote", (I.OPEN,), I.QUOTED, SELLERS),
    ("win", (I.OPEN, I.QUOTED), I.WON, SELLERS),
    ("lose", (I.OPEN, I.QUOTED), I.LOST, SELLERS),
)

QUOTATION_TRANSITIONS = transition_table(
    ("send", (Q.DRAFT,), Q.SENT, SELLERS),
    ("accept", (Q.SENT,), Q.ACCEPTED, SELLERS),
    ("reject", (Q.SENT,), Q.REJECTED, SELLERS),
    ("supersede", (Q.DRAFT, Q.SENT), Q.SUPERSEDED, SELLERS),
)
