"""Group robots against a local receiver: documented payloads, signatures, retries and failures."""

import base64
import hashlib
import hmac
import socket
import time

import pytest

from gendan.notify.models import Delivery, WebhookEndpoint
from gendan.notify.services import RETRY_POLICY, notify

DING_SECRET = "SEC0123456789abcdef"
FEISHU_SECRET = "feishu-secret-42"


FEISHU_OK = (200, {"code": 0, "msg": "success", "data": {}})


@pytest.fixture
def robots(receiver, db):
    receiver.always("/feishu/hook/fs-1", FEISHU_OK)
    return {
        "wecom": WebhookEndpoint.objects.create(
            name="跟单群", kind="wecom", url=f"{receiver.base_url}/wecom/send?key=wk-1"
        ),
        "dingtalk": WebhookEndpoint.objects.create(
            name="生产群",
            kind="dingtalk",
            url=f"{receiver.base_url}/dingtalk/robot/send?access_token=dt-1",
            secret=DING_SECRET,
        ),
        "feishu": WebhookEndpoint.objects.create(
            name="管理群", kind="feishu", url=f"{receiver.base_url}/feishu/hook/fs-1", secret=FEISHU_SECRET
        ),
    }


def _notify(users, **kwargs):
    defaults = {"kind": "order.overdue", "title": "SO2026-000001 交期已过", "body": "客户: 华美", "link": ""}
    return notify(recipients=users, channels=("inbox", "webhook"), **{**defaults, **kwargs})


def test_payloads_follow_each_robots_documented_format(
    alice, bob, robots, receiver, django_capture_on_commit_callbacks
):
    # given three robots; when two people are notified
    before_ms = int(time.time() * 1000)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice, bob], link="https://gendan.example.com/orders/1/")
    after_ms = int(time.time() * 1000)

    # then each robot got exactly one message in its own format
    (wecom,) = receiver.on("/wecom/send")
    assert wecom.query == {"key": ["wk-1"]}
    assert wecom.content_type.startswith("application/json")
    assert set(wecom.body) == {"msgtype", "markdown"} and wecom.body["msgtype"] == "markdown"
    assert set(wecom.body["markdown"]) == {"content"}
    content = wecom.body["markdown"]["content"]
    assert content.startswith("**SO2026-000001 交期已过**\n客户: 华美\n> ")
    assert "张三、李四" in content and "(https://gendan.example.com/orders/1/)" in content

    (ding,) = receiver.on("/dingtalk/robot/send")
    assert set(ding.body) == {"msgtype", "markdown"} and ding.body["msgtype"] == "markdown"
    assert ding.body["markdown"]["title"] == "SO2026-000001 交期已过"
    assert ding.body["markdown"]["text"].startswith("#### SO2026-000001 交期已过\n\n客户: 华美\n\n> ")
    # signed mode: timestamp (ms) and sign in the query, sign = base64(HmacSHA256(secret, "ts\nsecret"))
    assert ding.query["access_token"] == ["dt-1"]
    (timestamp,) = ding.query["timestamp"]
    (sign,) = ding.query["sign"]
    assert before_ms <= int(timestamp) <= after_ms
    expected = base64.b64encode(
        hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign == expected

    (feishu,) = receiver.on("/feishu/hook/fs-1")
    assert set(feishu.body) == {"msg_type", "content", "timestamp", "sign"}
    assert feishu.body["msg_type"] == "text"
    assert feishu.body["content"]["text"].startswith("SO2026-000001 交期已过\n客户: 华美\n")
    assert feishu.body["content"]["text"].endswith("\nhttps://gendan.example.com/orders/1/")
    # signature: timestamp in seconds (a string) and sign = base64(HmacSHA256(key="ts\nsecret", msg=""))
    assert before_ms // 1000 <= int(feishu.body["timestamp"]) <= after_ms // 1000
    key = f"{feishu.body['timestamp']}\n{FEISHU_SECRET}".encode()
    assert feishu.body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()

    # and every send is logged as sent at the first attempt, without the secret
    deliveries = Delivery.objects.filter(channel="webhook")
    assert sorted(deliveries.values_list("endpoint__kind", "status", "attempts")) == [
        ("dingtalk", "sent", 1),
        ("feishu", "sent", 1),
        ("wecom", "sent", 1),
    ]
    assert all(DING_SECRET not in str(d.payload) and "dt-1" not in d.target for d in deliveries)


def test_exact_bodies_without_signing(alice, receiver, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://gendan.example.com"
    settings.LANGUAGE_CODE = "en"
    WebhookEndpoint.objects.create(name="w", kind="wecom", url=f"{receiver.base_url}/w?key=1")
    WebhookEndpoint.objects.create(name="d", kind="dingtalk", url=f"{receiver.base_url}/d?access_token=1")
    WebhookEndpoint.objects.create(name="f", kind="feishu", url=f"{receiver.base_url}/f")
    receiver.always("/f", FEISHU_OK)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice], title="Late", body="Call the customer", link="/orders/1/")
    assert receiver.on("/w")[0].body == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**Late**\nCall the customer\n> Recipients: 张三\n[View details](https://gendan.example.com/orders/1/)"
        },
    }
    ding = receiver.on("/d")[0]
    assert ding.query == {"access_token": ["1"]}
    assert ding.body == {
        "msgtype": "markdown",
        "markdown": {
            "title": "Late",
            "text": "#### Late\n\nCall the customer\n\n> Recipients: 张三\n\n[View details](https://gendan.example.com/orders/1/)",
        },
    }
    assert receiver.on("/f")[0].body == {
        "msg_type": "text",
        "content": {
            "text": "Late\nCall the customer\nRecipients: 张三\nhttps://gendan.example.com/orders/1/"
        },
    }


@pytest.mark.parametrize(
    ("kind", "path", "failures", "success"),
    [
        (
            "dingtalk",
            "/ding",
            [(500, {"error": "busy"}), (200, {"errcode": 310000, "errmsg": "sign not match"})],
            None,
        ),
        ("wecom", "/wecom", [(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), (502, {})], None),
        (
            "feishu",
            "/feishu",
            [(200, {"code": 19021, "msg": "sign match fail"}), (500, {})],
            FEISHU_OK,
        ),
    ],
)
def test_a_robot_that_fails_twice_gets_the_message_once(
    alice, receiver, django_capture_on_commit_callbacks, kind, path, failures, success
):
    # given a robot that answers an error twice (HTTP 5xx or 200 with an error code), then accepts
    WebhookEndpoint.objects.create(name="r", kind=kind, url=f"{receiver.base_url}{path}", secret="s3cret")
    receiver.answer(path, *failures)
    if success:
        receiver.always(path, success)
    # when notified
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice])
    # then it was asked three times, accepted the message exactly once, and the log says so
    # (the third answer was the success, and nothing was posted after it)
    calls = receiver.on(path)
    assert len(calls) == 3
    assert (
        calls[0].body["content" if kind == "feishu" else "markdown"]
        == calls[2].body["content" if kind == "feishu" else "markdown"]
    )
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")


def test_a_robot_that_always_fails_ends_failed(alice, receiver, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(
        name="坏群", kind="dingtalk", url=f"{receiver.base_url}/bad?access_token=x"
    )
    receiver.always("/bad", (200, {"errcode": 300001, "errmsg": "token is not exist"}))
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice])
    max_attempts = RETRY_POLICY[Delivery.Channel.WEBHOOK][0]
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.attempts) == ("failed", max_attempts)
    assert delivery.last_error == "WebhookError: error code 300001: token is not exist"
    assert delivery.target == "坏群 (dingtalk)"
    assert len(receiver.on("/bad")) == max_attempts
    # the in-app notification is there regardless
    assert alice.notifications.count() == 1


def test_unreachable_robot_is_a_recorded_network_error(alice, db, django_capture_on_commit_callbacks):
    with socket.socket() as sock:  # a port that was free a moment ago: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    WebhookEndpoint.objects.create(name="gone", kind="wecom", url=f"http://127.0.0.1:{port}/x?key=1")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice])
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "network error" in delivery.last_error


def test_kinds_active_flag_and_dedupe_decide_which_robots_post(
    alice, receiver, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(name="all", kind="wecom", url=f"{receiver.base_url}/all?key=1")
    WebhookEndpoint.objects.create(
        name="quality only",
        kind="wecom",
        url=f"{receiver.base_url}/q?key=1",
        kinds="quality.failed, exception.raised",
    )
    WebhookEndpoint.objects.create(
        name="off", kind="wecom", url=f"{receiver.base_url}/off?key=1", active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        _notify([alice], kind="order.overdue", dedupe_key="d1")
        _notify([alice], kind="quality.failed", dedupe_key="d2")
        _notify([alice], kind="quality.failed", dedupe_key="d2")  # same key again: no second post
    assert len(receiver.on("/all")) == 2
    assert len(receiver.on("/q")) == 1
    assert receiver.on("/off") == []


def test_no_webhook_inside_a_rolled_back_transaction(
    alice, robots, receiver, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _notify([alice])
        raise RuntimeError
    assert receiver.requests == []
    assert not Delivery.objects.exists()
