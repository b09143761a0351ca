"""Hostile input on the whole REST API (SPEC §4, issue 7 item 6): schemathesis generates requests for every
operation of /api/v1/openapi.json (valid and invalid bodies, parameters at and beyond their bounds) with a
fixed seed, authenticated as the administrator (every code path open), against the populated world of
tests/security/world.py. No answer may be a 5xx, and every answer must match the document: a status code it
declares, a body of the declared schema.

Requests go in-process through the WSGI application (no server), inside the test's transaction.
"""

import collections
import enum
import importlib
import inspect
import os
import typing

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from pydantic import BaseModel
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.matrix import STATS

pytestmark = pytest.mark.django_db

# ~126 operations × 20 (+ schemathesis' coverage cases): about ten thousand cases in CI, ~1.5 min on SQLite.
# GENDAN_FUZZ_EXAMPLES=200 for a deeper run by hand; GENDAN_FUZZ_SEED to try another seed.
EXAMPLES_PER_OPERATION = int(os.environ.get("GENDAN_FUZZ_EXAMPLES", "20"))
SEED = int(os.environ.get("GENDAN_FUZZ_SEED", "20261127"))
AS_USER = os.environ.get("GENDAN_FUZZ_USER", "admin")  # or m1, planner … (tests/security/world.USERNAMES)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def in_transaction():
    """A WSGI request ends with request_finished → close_old_connections, which would close the database
    connection inside the test's transaction; the test client disconnects it too while it runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    derandomize=False,
    suppress_health_check=list(hypothesis.HealthCheck),
)
@hypothesis.seed(SEED)
def test_api_conforms_and_never_fails(case, world, in_transaction):
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {world.tokens[AS_USER]}"}, checks=CHECKS
    )
    STATS["fuzz_cases"] += 1
    STATS["fuzz_5xx"] += response.status_code >= 500
    STATS["fuzz_2xx"] += 200 <= response.status_code < 300


def test_every_schema_name_is_unique():
    """ninja names a component after its class: two apps' `ReasonIn` would silently share one definition
    in the document (the other app's body then documented wrongly). Every schema class is unique by name."""
    import gendan.core.api  # noqa: F401  (registers every router)

    apps = [
        "accounts",
        "parties",
        "catalog",
        "orders",
        "reviews",
        "notify",
        "followup",
        "materials",
        "capacity",
        "outsourcing",
        "quality",
        "quotes",
        "shipping",
        "ledger",
        "complaints",
        "visits",
        "performance",
        "changes",
    ]
    found: dict[str, set[type]] = collections.defaultdict(set)

    def walk(annotation, seen: set) -> None:
        if isinstance(annotation, type) and annotation in seen:
            return
        if inspect.isclass(annotation) and issubclass(annotation, enum.Enum | BaseModel):
            seen.add(annotation)
            found[annotation.__name__].add(annotation)
            if issubclass(annotation, BaseModel):
                for model_field in annotation.model_fields.values():
                    walk(model_field.annotation, seen)
            return
        for argument in typing.get_args(annotation):
            walk(argument, seen)

    for app in apps:
        module = importlib.import_module(f"gendan.{app}.api")
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, BaseModel):
                walk(value, set())
    assert len(found) > 100
    clashes = {
        name: sorted(c.__module__ for c in classes) for name, classes in found.items() if len(classes) > 1
    }
    assert clashes == {}
