from django.test import Client


def test_pages_are_chinese_by_default_and_english_on_request(db):
    chinese = Client().get("/accounts/login/")
    assert chinese.status_code == 200
    assert 'lang="zh-hans"' in chinese.content.decode() and "登录" in chinese.content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/")
    assert "Log in" in english.content.decode()


def test_the_language_switch_sticks(db):
    browser = Client()
    response = browser.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "Log in" in browser.get("/accounts/login/").content.decode()
    browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert "登录" in browser.get("/accounts/login/").content.decode()


def test_status_labels_are_translated(db):
    from django.utils import translation

    from gendan.orders.models import OrderStatus

    with translation.override("zh-hans"):
        assert str(OrderStatus.IN_PRODUCTION.label) == "生产中"
        assert str(OrderStatus.PARTIALLY_SHIPPED.label) == "部分发货"
