"""Run in a forked process: release one order against the parent's (committed) test database."""

import os


def release(order_id: int, username: str, barrier, results) -> None:
    from django.db import connection

    from gendan.accounts.models import User
    from gendan.orders.models import Order
    from gendan.orders.services import order_release

    connection.close()  # never share the parent's connection
    try:
        user = User.objects.get(username=username)
        order = Order.objects.get(pk=order_id)
        barrier.wait(timeout=60)  # both processes release at the same moment
        order_release(order=order, actor=user)
        results.put((os.getpid(), order_id, "ok"))
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put((os.getpid(), order_id, repr(exc)))
    finally:
        connection.close()
