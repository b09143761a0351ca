"""Quality through the API and the screens: QC records, the gate answers, the supervisor concedes; another
merchandiser's inspections are 404 and absent from lists."""

import datetime as dt

from gendan.quality.models import Inspection, InspectionStatus
from gendan.quality.services import inspection_record
from tests.q2c import today

DAY = dt.date(2026, 11, 27)
FAILING = {
    "stage": "final",
    "lot_size": 300,
    "level": "II",
    "aql_critical": 0,
    "aql_major": 2.5,
    "aql_minor": 4.0,
    "major_found": 4,
    "minor_found": 0,
}


def test_api_record_gate_concession(api, order):
    # When QC records a failing final inspection through the API
    with today(DAY):
        response = api("qc").post(f"/quality/orders/{order.pk}/inspections", FAILING)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["code_letter"], body["sample_size"]) == ("failed", "H", 50)
    major = next(c for c in body["classes"] if c["defect_class"] == "major")
    assert (major["ac"], major["re"], major["defects_found"], major["passed"]) == (3, 4, 4, False)
    assert body["exception_number"].startswith("EX")
    # Then the gate says no
    gate = api("m1").get(f"/quality/orders/{order.pk}/shipment-gate").json()
    assert gate["may_ship"] is False and body["number"] in gate["reason"]
    # The merchandiser may not concede (403), the supervisor may
    assert api("m1").post(f"/quality/inspections/{body['id']}/concession", {"reason": "x"}).status_code == 403
    conceded = api("sup").post(f"/quality/inspections/{body['id']}/concession", {"reason": "客户同意让步"})
    assert conceded.status_code == 200, conceded.content
    assert conceded.json()["status"] == "conceded"
    assert api("m1").get(f"/quality/orders/{order.pk}/shipment-gate").json() == {
        "order_id": order.pk,
        "may_ship": True,
        "reason": None,
    }


def test_api_refuses_bad_input_and_non_qc(api, order):
    assert api("m1").post(f"/quality/orders/{order.pk}/inspections", FAILING).status_code == 403
    bad = api("qc").post(f"/quality/orders/{order.pk}/inspections", {**FAILING, "lot_size": 0})
    assert bad.status_code == 422
    bad = api("qc").post(f"/quality/orders/{order.pk}/inspections", {**FAILING, "aql_major": 3.0})
    assert bad.status_code == 400 and "aql_major" in bad.json()["extra"]["fields"]
    bad = api("qc").post(f"/quality/orders/{order.pk}/inspections", {**FAILING, "major_found": True})
    assert bad.status_code == 422
    assert not Inspection.objects.exists()


def test_api_scope(api, order, other_order):
    with today(DAY):
        mine = api("qc").post(f"/quality/orders/{order.pk}/inspections", FAILING).json()
        theirs = api("qc").post(f"/quality/orders/{other_order.pk}/inspections", FAILING).json()
    assert api("m2").get(f"/quality/inspections/{mine['id']}").status_code == 404
    assert api("m1").get(f"/quality/inspections/{mine['id']}").status_code == 200
    listed = api("m1").get("/quality/inspections").json()
    assert [i["id"] for i in listed["items"]] == [mine["id"]]
    assert theirs["id"] not in [i["id"] for i in api("sup").get("/quality/inspections").json()["items"]]
    # sup2 cannot concede on m1's order: it does not exist for them
    assert (
        api("sup2").post(f"/quality/inspections/{mine['id']}/concession", {"reason": "x"}).status_code == 404
    )
    assert api("m1").get(f"/quality/orders/{other_order.pk}/shipment-gate").status_code == 404


def test_screens_record_fail_and_concede(web, order):
    qc = web("qc")
    assert qc.get(f"/quality/orders/{order.pk}/new/").status_code == 200
    with today(DAY):
        response = qc.post(
            f"/quality/orders/{order.pk}/new/",
            {
                "stage": "final",
                "order_line": "",
                "lot_size": "300",
                "level": "II",
                "aql_critical": "0",
                "critical_found": "0",
                "aql_major": "2.5",
                "major_found": "4",
                "aql_minor": "4.0",
                "minor_found": "0",
            },
        )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/quality/{inspection.pk}/"
    page = qc.get(f"/quality/{inspection.pk}/").content.decode()
    assert 'data-testid="shipment-blocked"' in page
    assert 'data-testid="inspection-concede"' not in page  # QC may not concede

    sup = web("sup")
    page = sup.get(f"/quality/{inspection.pk}/").content.decode()
    assert 'data-testid="inspection-concede"' in page
    sup.post(f"/quality/{inspection.pk}/concede/", {"reason": "客户同意", "version": inspection.version})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CONCEDED
    assert 'data-testid="shipment-free"' in sup.get(f"/quality/orders/{order.pk}/").content.decode()


def test_screen_errors_stay_on_the_form(web, order):
    response = web("qc").post(
        f"/quality/orders/{order.pk}/new/",
        {"stage": "final", "lot_size": "999", "level": "II", "aql_major": "2.5", "major_found": "0"},
    )
    assert response.status_code == 200
    assert 'data-testid="error-lot_size"' in response.content.decode()
    assert not Inspection.objects.exists()


def test_screens_scope_and_aql_page(web, people, order, other_order):
    with today(DAY):
        theirs = inspection_record(
            order=other_order,
            actor=people["qc"],
            data={"stage": "inline", "lot_size": 50, "aql_major": "2.5", "major_found": 0},
        )
    m1 = web("m1")
    assert m1.get(f"/quality/{theirs.pk}/").status_code == 404
    assert m1.get(f"/quality/orders/{other_order.pk}/").status_code == 404
    assert theirs.number not in m1.get("/quality/").content.decode()
    page = m1.get("/quality/aql/", {"lot_size": "1000", "level": "II", "aql": "2.5"}).content.decode()
    assert 'data-testid="aql-n">80' in page and 'data-testid="aql-ac">5' in page
    page = m1.get("/quality/aql/", {"lot_size": "0", "level": "II", "aql": "2.5"}).content.decode()
    assert 'data-testid="aql-error"' in page
