"""PlainSelect renders what Django's Select renders: one option selected, labels and values escaped."""

from django import forms

from gendan.core.widgets import PlainSelect


class _Form(forms.Form):
    pick = forms.ChoiceField(
        required=False,
        choices=[("", "—"), ("a", "A & B"), ("<b>", "<i>x</i>"), ("a", "again")],
        widget=PlainSelect,
    )


def test_given_a_value_when_rendered_then_only_the_first_matching_option_is_selected():
    html = str(_Form(data={"pick": "a"})["pick"])
    assert html.startswith('<select name="pick" id="id_pick">')
    assert '<option value="a" selected>A &amp; B</option>' in html
    assert '<option value="a">again</option>' in html
    assert '<option value="">—</option>' in html


def test_given_markup_in_choices_when_rendered_then_it_is_escaped():
    html = str(_Form()["pick"])
    assert '<option value="&lt;b&gt;">&lt;i&gt;x&lt;/i&gt;</option>' in html
    assert "<i>" not in html


def test_given_the_order_filter_when_rendered_then_the_customer_choice_is_kept(client, people):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(merchandiser=people["m1"], salesperson=people["sales"])
    client.force_login(people["m1"])
    html = client.get(f"/orders/?customer={customer.pk}&status=draft").content.decode()
    assert f'<option value="{customer.pk}" selected>{customer.code} {customer.name}</option>' in html
    assert '<option value="draft" selected>' in html
