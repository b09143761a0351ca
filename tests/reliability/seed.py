"""Seed a database served by a real server (run by `gendan shell`): one user per role with an API token, a
customer and a product. Prints one JSON line: {"keys": {username: token}, "customer": code, "product": code}."""

import json

from django.db import transaction
from django.test import override_settings

from gendan.accounts import roles as R
from gendan.accounts.models import User
from gendan.accounts.services import api_token_create
from tests.factories import CustomerFactory, ProductFactory, make_user


@transaction.atomic
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # API tokens only
def main(email_domain: str = "") -> None:
    sup = make_user("sup", R.SUPERVISOR, department="merchandising")
    people = {
        "sup": sup,
        "m1": make_user("m1", R.MERCHANDISER, department="merchandising", supervisor=sup),
        "sales": make_user("sales", R.SALES, department="business", supervisor=sup),
        "planner": make_user("planner", R.PLANNER, department="planning"),
        "tech": make_user("tech", R.REVIEWER, department="technical"),
        "purchasing": make_user("purchasing", R.REVIEWER, department="purchasing"),
        "qc": make_user("qc", R.REVIEWER, department="quality"),
        "finance": make_user("finance", R.REVIEWER, department="finance"),
    }
    if email_domain:
        for username in people:
            User.objects.filter(username=username).update(email=f"{username}@{email_domain}")
    customer = CustomerFactory(code="C-REL", merchandiser=people["m1"], salesperson=people["sales"])
    product = ProductFactory(code="P-REL")
    keys = {name: api_token_create(user=user, name="reliability")[1] for name, user in people.items()}
    print(json.dumps({"keys": keys, "customer": customer.code, "product": product.code}))  # noqa: T201
