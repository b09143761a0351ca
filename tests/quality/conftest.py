"""Quality test helpers: orders in production reached through the real services, API and browser-less
clients logged in as a given person."""

import json

import pytest
from django.test import Client

from gendan.accounts.services import api_token_create
from tests.factories import PASSWORD
from tests.q2c import order_in_production


class Api:
    """JSON to /api/v1/ with a real bearer token of the user."""

    def __init__(self, user) -> None:
        _token, key = api_token_create(user=user, name="test")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, path: str, **params):
        return self.client.get("/api/v1" + path, params or None, **self.headers)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            "/api/v1" + path, json.dumps(body or {}), content_type="application/json", **self.headers
        )


@pytest.fixture
def api(people):
    cache: dict[str, Api] = {}

    def make(name: str) -> Api:
        if name not in cache:
            cache[name] = Api(people[name])
        return cache[name]

    return make


@pytest.fixture
def web(people):
    """web("qc") → a django test client logged in as that person."""

    def make(name: str) -> Client:
        client = Client()
        assert client.login(username=people[name].username, password=PASSWORD)
        return client

    return make


@pytest.fixture
def order(people, customer, product):
    """m1's order in production: line 1 100 × 12.50, line 2 200 × 8.00, tolerance 3 % (lot limit 309)."""
    return order_in_production(people, customer, product)


@pytest.fixture
def other_order(people, other_customer, product):
    """m3's order (another team) in production."""
    return order_in_production(people, other_customer, product, by="m3")
