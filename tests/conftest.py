import pytest
from django.db.backends.sqlite3 import base as sqlite_base

from gendan.accounts import roles as R
from gendan.core.append_only import flush_allowed
from tests.factories import CustomerFactory, ProductFactory, make_user

SqliteOperations = sqlite_base.DatabaseWrapper.ops_class
_sqlite_flush = SqliteOperations.execute_sql_flush


def _flush_through_append_only_triggers(self, sql_list):
    """Django flushes SQLite test databases with DELETE (PostgreSQL's TRUNCATE fires no row triggers): only
    this flush may pass the append-only DELETE triggers (gendan.core.append_only.flush_allowed)."""
    with flush_allowed(self.connection):
        return _sqlite_flush(self, sql_list)


SqliteOperations.execute_sql_flush = _flush_through_append_only_triggers


@pytest.fixture
def people(db):
    """One user per role; two merchandisers under one supervisor, a third under another."""
    sup = make_user("sup", R.SUPERVISOR, department="merchandising")
    sup2 = make_user("sup2", R.SUPERVISOR, department="merchandising")
    return {
        "admin": make_user("admin", R.ADMIN, department="management"),
        "gm": make_user("gm", R.GENERAL_MANAGER, department="management"),
        "sup": sup,
        "sup2": sup2,
        "m1": make_user("m1", R.MERCHANDISER, department="merchandising", supervisor=sup),
        "m2": make_user("m2", R.MERCHANDISER, department="merchandising", supervisor=sup),
        "m3": make_user("m3", R.MERCHANDISER, department="merchandising", supervisor=sup2),
        "sales": make_user("sales", R.SALES, department="business", supervisor=sup),
        "planner": make_user("planner", R.PLANNER, department="planning"),
        "tech": make_user("tech", R.REVIEWER, department="technical"),
        "purchasing": make_user("purchasing", R.REVIEWER, department="purchasing"),
        "qc": make_user("qc", R.REVIEWER, department="quality"),
        "finance": make_user("finance", R.REVIEWER, department="finance"),
        "auditor": make_user("auditor", R.AUDITOR, department="management"),
    }


@pytest.fixture
def customer(people):
    return CustomerFactory(merchandiser=people["m1"], salesperson=people["sales"])


@pytest.fixture
def other_customer(people):
    return CustomerFactory(merchandiser=people["m3"])


@pytest.fixture
def product(db):
    return ProductFactory()


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages in tests are compared in English (the msgids); pages choose their language per
    request through LocaleMiddleware, so the Chinese UI is still what the view and browser tests see."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A browser that asks for English pages, so view tests can compare the msgids; the Chinese default is
    covered by the browser tests and tests/core/test_i18n.py."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
