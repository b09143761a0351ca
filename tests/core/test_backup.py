import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gendan.core.backup import database_fingerprint
from gendan.core.demo import demo_load
from gendan.core.models import AuditLog
from gendan.ledger.models import LedgerEntry
from gendan.orders.models import Order, OrderEvent


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_gives_identical_rows(tmp_path):
    # given a database with demo data
    demo_load()
    before = database_fingerprint()
    assert before["orders_order"]["rows"] >= 9
    target = tmp_path / "snapshot.backup"
    # when it is backed up, emptied and restored
    call_command("backup", str(target), verbosity=0)
    assert target.stat().st_size > 0
    with pytest.raises(CommandError):  # a database with orders is never overwritten
        call_command("restore", str(target), verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    assert not Order.objects.exists()
    call_command("restore", str(target), verbosity=0)
    # then every table has the same rows and checksums
    after = database_fingerprint()
    assert after == before
    # and the restored database is append-only again (the triggers came with it)
    for model in (OrderEvent, AuditLog, LedgerEntry):
        if model.objects.exists():
            with pytest.raises(DatabaseError), transaction.atomic():
                model.objects.all()._raw_delete(connection.alias)
    with pytest.raises(DatabaseError), transaction.atomic():
        OrderEvent.objects.update(note="rewritten")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "not-a-backup.bin"
    bogus.write_bytes(b"hello")
    call_command("flush", "--noinput", verbosity=0)
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), verbosity=0)
