"""Huey tasks that send one Delivery each, retrying with exponential back-off.

Attempts are counted on the Delivery row (not in huey), so the bound survives a consumer restart and is
visible in admin. A failed attempt raises huey's `RetryTask` with our computed delay (webhooks 2, 4, 8 …
seconds, capped); huey's own `retries`/`retry_delay` only back up unexpected errors such as a locked
database. In immediate mode (tests, or development without a consumer) nothing would ever run a
delayed task, so the retry runs at once.
"""

from huey.contrib.djhuey import HUEY, db_task
from huey.exceptions import RetryTask

from gendan.notify.models import Delivery
from gendan.notify.services import delivery_attempt, retry_backoff_seconds


def _attempt_or_retry(delivery_id: int) -> None:
    # Each round uses one attempt, and attempts are bounded by RETRY_POLICY, so the loop ends.
    while True:
        delivery = delivery_attempt(delivery_id=delivery_id)
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return
        if not HUEY.immediate:
            raise RetryTask(delay=retry_backoff_seconds(channel=delivery.channel, attempt=delivery.attempts))
        # Immediate mode: no consumer runs delayed tasks, so the next attempt follows at once.


@db_task(retries=3, retry_delay=60)
def email_send(delivery_id: int) -> None:
    _attempt_or_retry(delivery_id)


@db_task(retries=3, retry_delay=60)
def webhook_send(delivery_id: int) -> None:
    _attempt_or_retry(delivery_id)
