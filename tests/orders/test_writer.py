"""The intake's plain-SQL writer (gendan.orders.writer) writes exactly the rows the ORM would: compared column
by column, as stored, with the same order written through the ORM; and what it leaves in memory reads like
the rows read back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from gendan.core.models import decimals_as_stored
from gendan.orders.models import Order, OrderEvent, OrderLine, OrderLineSize
from gendan.orders.services import (
    _header_values,
    _writers,
    order_create,
    order_create_from_data,
    order_create_many,
)
from gendan.orders.validation import order_data_validate
from gendan.orders.writer import TableWriter, passthrough_type, passthrough_types
from gendan.parties.exports import payment_terms_zh
from tests.factories import ProductFactory, order_payload

SAMPLES = {
    str: ["", "红", "a \"quoted\" \\ 'po'", "x" * 200],
    int: [0, 1, 2**40],
    bool: [True, False],
    Decimal: [Decimal("0"), Decimal("300.000"), Decimal("12.5000"), Decimal("-1.25")],
}


@pytest.mark.django_db
def test_passthrough_values_are_what_get_db_prep_save_gives():
    # the writer skips get_db_prep_save only where it would return the value unchanged
    kinds = set()
    for writer in _writers().values():
        for field in writer.fields:
            kind = passthrough_type(field)
            kinds.add(kind)
            for value in SAMPLES.get(kind, []):
                prepared = field.get_db_prep_save(value, connection)
                assert prepared == value and type(prepared) is kind, (field, value)
                assert str(prepared) == str(value), (field, value)
            if type(None) in passthrough_types(field):
                assert field.get_db_prep_save(None, connection) is None
    assert {str, Decimal} <= kinds  # text and decimals skip it on every backend


def test_remembered_rows_are_built_in_column_order():
    # the objects left in memory are built positionally (Model.from_db) from the written columns
    writers = _writers.__wrapped__
    assert writers  # the cache wrapper exists; the column lists below are what from_db is given
    from gendan.orders.services import _LINE_COLUMNS, _SIZE_COLUMNS

    assert tuple(f.attname for f in OrderLine._meta.concrete_fields) == ("id", *_LINE_COLUMNS)
    assert tuple(f.attname for f in OrderLineSize._meta.concrete_fields) == ("id", *_SIZE_COLUMNS)


def test_unknown_column_is_refused(db):
    with pytest.raises(ValueError, match="no columns"):
        TableWriter(OrderLine, ["order_id", "nope"])


@pytest.mark.django_db(transaction=True)
def test_writes_only_inside_a_transaction():
    with pytest.raises(RuntimeError, match="transaction"):
        _writers()["size"].insert([(1, "S", Decimal(1), 0)], now=timezone.now())


def _raw(model, pk) -> dict:
    """A row as stored (the driver's values, no Django conversion)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def _orm_write(*, actor, data, number, event_data) -> Order:
    """The same order written the ORM's way (save, bulk_create, create): the reference."""
    order = Order(number=number, created_by=actor, **_header_values(data))
    decimals_as_stored(order)
    order.save(force_insert=True)
    for index, line in enumerate(data.lines, start=1):
        saved = OrderLine(
            order=order,
            line_no=index,
            product=line.product,
            spec=line.spec,
            color=line.color,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=line.amount,
            tolerance_percent=line.tolerance_percent,
        )
        decimals_as_stored(saved)
        saved.save(force_insert=True)
        sizes = [
            OrderLineSize(line=saved, size=size, quantity=qty, position=position)
            for position, (size, qty) in enumerate(line.sizes)
        ]
        decimals_as_stored(*sizes)
        OrderLineSize.objects.bulk_create(sizes)
    OrderEvent.objects.create(
        order=order,
        type=OrderEvent.Type.IMPORTED,
        actor=actor,
        to_status=order.status,
        data={"lines": len(data.lines), "total_amount": str(order.total_amount), **event_data},
    )
    return order


def _comparable(row: dict, *, skip: tuple[str, ...]) -> dict:
    return {k: v for k, v in row.items() if k not in ("id", *skip)}


def _assert_same_timestamp(a, b) -> None:
    # written at different instants, so compare what was stored: the same kind of value, as UTC, close
    assert type(a) is type(b) is dt.datetime and (a.tzinfo is None) == (b.tzinfo is None)
    assert abs(a - b) < dt.timedelta(seconds=5)


@pytest.mark.django_db(transaction=False)
def test_written_rows_equal_the_orm_rows(people, customer, product):
    # given an order with every kind of value: text with quotes and Chinese, decimals of each scale,
    # dates, a salesperson, sizes, and event data with non-ASCII text and numbers
    other = ProductFactory(unit="米", spec="宽 150cm")
    raw = order_payload(
        customer,
        product,
        customer_po='PO "7"',
        requirements="需要 \"洗水\" 和 'packing'\nline 2",
        incoterm="FOB",
        payment_terms="T/T 30",
        salesperson=people["sales"].username,
    )
    raw["lines"].append(
        {"product": other.code, "quantity": "12.345", "unit_price": "7.1234", "tolerance_percent": "5"}
    )
    data = order_data_validate(raw, actor=people["m1"])
    event_data = {"source": "导入 “文件”.xlsx", "row": 7, "ratio": 1.5, "none": None}
    # when it is written by the intake writer and, separately, by the ORM
    written = order_create_from_data(
        actor=people["m1"], data=data, event_type=OrderEvent.Type.IMPORTED, event_data=event_data
    )
    reference = _orm_write(actor=people["m1"], data=data, number="REF-1", event_data=event_data)
    # then every stored column is the same, the id, number and time stamps aside
    mine, theirs = _raw(Order, written.pk), _raw(Order, reference.pk)
    assert _comparable(mine, skip=("number", "created_at", "updated_at")) == _comparable(
        theirs, skip=("number", "created_at", "updated_at")
    )
    _assert_same_timestamp(mine["created_at"], theirs["created_at"])
    assert mine["created_at"] == mine["updated_at"]
    my_lines = list(OrderLine.objects.filter(order=written).order_by("line_no").values_list("pk", flat=True))
    their_lines = list(
        OrderLine.objects.filter(order=reference).order_by("line_no").values_list("pk", flat=True)
    )
    assert len(my_lines) == len(their_lines) == 2
    for mine_pk, theirs_pk in zip(my_lines, their_lines, strict=True):
        assert _comparable(_raw(OrderLine, mine_pk), skip=("order_id",)) == _comparable(
            _raw(OrderLine, theirs_pk), skip=("order_id",)
        )
        my_sizes = list(
            OrderLineSize.objects.filter(line_id=mine_pk).order_by("position").values_list("pk", flat=True)
        )
        their_sizes = list(
            OrderLineSize.objects.filter(line_id=theirs_pk).order_by("position").values_list("pk", flat=True)
        )
        assert len(my_sizes) == len(their_sizes)
        for a, b in zip(my_sizes, their_sizes, strict=True):
            assert _comparable(_raw(OrderLineSize, a), skip=("line_id",)) == _comparable(
                _raw(OrderLineSize, b), skip=("line_id",)
            )
    [my_event] = OrderEvent.objects.filter(order=written).values_list("pk", flat=True)
    [their_event] = OrderEvent.objects.filter(order=reference).values_list("pk", flat=True)
    mine, theirs = _raw(OrderEvent, my_event), _raw(OrderEvent, their_event)
    assert _comparable(mine, skip=("order_id", "created_at")) == _comparable(
        theirs, skip=("order_id", "created_at")
    )
    _assert_same_timestamp(mine["created_at"], theirs["created_at"])


def test_rows_read_back_through_the_orm(people, customer, product):
    # given a deliberate repeat of a PO on file, created by the single path
    first = order_create(actor=people["m1"], data=order_payload(customer, product, customer_po="R-1"))
    before = timezone.now()
    order = order_create(
        actor=people["m1"],
        data=order_payload(
            customer, product, customer_po="r-1", confirm_repeat=True, repeat_reason="客户追加 “同款”"
        ),
    )
    # then the rows read back are what was asked, with Django's defaults
    saved = Order.objects.get(pk=order.pk)
    assert (saved.number, saved.status, saved.version, saved.is_repeat) == ("SO2026-000002", "draft", 1, True)
    assert saved.repeat_reason == "客户追加 “同款”" and saved.customer_po == "r-1"
    assert saved.order_date == dt.date(2026, 11, 27) and saved.requested_date == dt.date(2027, 1, 11)
    assert (saved.total_quantity, saved.total_amount) == (Decimal("100.000"), Decimal("1250.00"))
    assert (
        saved.currency == customer.currency
        and saved.payment_terms == payment_terms_zh(customer) == "月结 30 天"
    )
    assert (saved.merchandiser, saved.salesperson, saved.created_by) == (
        people["m1"],
        people["sales"],
        people["m1"],
    )
    assert saved.promised_date is None and saved.released_at is None and not saved.is_date_risk
    assert timezone.is_aware(saved.created_at) and before <= saved.created_at <= timezone.now()
    assert saved.created_at == saved.updated_at == order.created_at == order.updated_at
    line = saved.lines.get()
    assert (line.line_no, line.product, line.unit, line.spec, line.color) == (
        1,
        product,
        product.unit,
        product.spec,
        "红",
    )
    assert (line.quantity, line.unit_price, line.amount, line.tolerance_percent) == (
        Decimal("100.000"),
        Decimal("12.5000"),
        Decimal("1250.00"),
        Decimal("3.00"),
    )
    assert list(line.sizes.values_list("size", "quantity", "position")) == [
        ("S", Decimal("30.000"), 0),
        ("M", Decimal("40.000"), 1),
        ("L", Decimal("30.000"), 2),
    ]
    created, confirmed = saved.events.order_by("created_at", "id")
    assert (created.type, created.actor, created.from_status, created.to_status, created.note) == (
        OrderEvent.Type.CREATED,
        people["m1"],
        "",
        "draft",
        "",
    )
    assert created.data == {"lines": 1, "total_amount": "1250.00"}
    assert timezone.is_aware(created.created_at) and created.created_at == saved.created_at
    assert (confirmed.type, confirmed.note, confirmed.to_status) == (
        OrderEvent.Type.DUPLICATE_CONFIRMED,
        "客户追加 “同款”",
        "",
    )
    assert confirmed.data == {"duplicates": [first.number]}


def test_objects_in_memory_read_like_the_rows(people, customer, product):
    # the single path answers from memory: the same values as a fresh read, related objects included
    order = order_create(actor=people["m1"], data=order_payload(customer, product))
    fresh = Order.objects.prefetch_related("lines__sizes").get(pk=order.pk)
    for field in Order._meta.concrete_fields:
        assert getattr(order, field.attname) == getattr(fresh, field.attname), field.name
    assert not order._state.adding and order._state.db == fresh._state.db
    (line,), (fresh_line,) = list(order.lines.all()), list(fresh.lines.all())
    for field in OrderLine._meta.concrete_fields:
        assert getattr(line, field.attname) == getattr(fresh_line, field.attname), field.name
        assert str(getattr(line, field.attname)) == str(getattr(fresh_line, field.attname)), field.name
    assert line.product is not None and line.order is order and not line._state.adding
    sizes, fresh_sizes = list(line.sizes.all()), list(fresh_line.sizes.all())
    assert [(s.pk, s.line_id, s.size, str(s.quantity), s.position) for s in sizes] == [
        (s.pk, s.line_id, s.size, str(s.quantity), s.position) for s in fresh_sizes
    ]
    assert all(s.line is line for s in sizes)


def test_batch_rows_match_the_single_path(people, customer, product):
    # the batch path writes the same rows as one order at a time (ids, numbers and times aside), a
    # deliberate repeat's second event included
    def repeat(po: str) -> dict:
        return order_payload(customer, product, customer_po=po, confirm_repeat=True, repeat_reason="追加")

    first, second = (
        order_create(actor=people["m1"], data=order_payload(customer, product, customer_po=po)) for po in "ST"
    )
    single = order_create(actor=people["m1"], data=repeat("S"))
    [batch] = order_create_many(actor=people["m1"], rows=[repeat("t")])
    skip = ("number", "customer_po", "created_at", "updated_at")
    assert _comparable(_raw(Order, single.pk), skip=skip) == _comparable(_raw(Order, batch.pk), skip=skip)
    lines = [OrderLine.objects.get(order=o) for o in (single, batch)]
    assert _comparable(_raw(OrderLine, lines[0].pk), skip=("order_id",)) == _comparable(
        _raw(OrderLine, lines[1].pk), skip=("order_id",)
    )
    sizes = [list(line.sizes.order_by("position").values_list("pk", flat=True)) for line in lines]
    assert len(sizes[0]) == len(sizes[1]) == 3
    for a, b in zip(*sizes, strict=True):
        assert _comparable(_raw(OrderLineSize, a), skip=("line_id",)) == _comparable(
            _raw(OrderLineSize, b), skip=("line_id",)
        )
    events = [
        list(OrderEvent.objects.filter(order=o).order_by("id").values_list("pk", flat=True))
        for o in (single, batch)
    ]
    assert len(events[0]) == len(events[1]) == 2
    created, confirmed = zip(*events, strict=True)
    skip = ("order_id", "created_at")
    assert _comparable(_raw(OrderEvent, created[0]), skip=skip) == _comparable(
        _raw(OrderEvent, created[1]), skip=skip
    )
    skip = (*skip, "data")  # the repeat names its own original
    assert _comparable(_raw(OrderEvent, confirmed[0]), skip=skip) == _comparable(
        _raw(OrderEvent, confirmed[1]), skip=skip
    )
    assert [OrderEvent.objects.get(pk=pk).data for pk in confirmed] == [
        {"duplicates": [first.number]},
        {"duplicates": [second.number]},
    ]


def test_many_orders_span_several_statements(people, customer, product):
    # more rows than one statement may carry (999 parameters on SQLite): every id maps back to its row
    writer = _writers()["order"]
    count = writer.max_rows * 2 + 3
    orders = order_create_many(
        actor=people["m1"],
        rows=[order_payload(customer, product, customer_po=f"M-{k}") for k in range(min(count, 500))],
    )
    stored = dict(Order.objects.values_list("pk", "customer_po"))
    assert [stored[o.pk] for o in orders] == [o.customer_po for o in orders]
    assert len({o.pk for o in orders}) == len(orders)
    for order in orders[:: max(1, len(orders) // 7)]:
        line = OrderLine.objects.get(order=order)
        assert line.sizes.count() == 3
        assert OrderEvent.objects.get(order=order).data["total_amount"] == "1250.00"
