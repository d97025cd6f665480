import datetime as dt

import pytest
from django.test import Client

from civicbill.core.models import AuditEvent
from civicbill.customers.models import Account, AccountNote
from tests.fixtures.database import assert_nothing_changed

pytestmark = pytest.mark.django_db


def test_the_account_page_answers_who_where_status_and_how_much(client: Client, technician, rosa_account):
    client.force_login(technician)
    page = client.get(f"/accounts/{rosa_account.number}/").content.decode()
    assert "Rosa Peña" in page
    assert "Spanish" in page
    assert "52 Avenue 48, Coachella, CA 92236" in page
    assert "$90.01" in page  # 48.20 water + 41.81 sewer
    assert "$48.20" in page and "$41.81" in page
    assert "Conversion opening balance" in page
    assert "Audit trail" in page


def test_a_csr_sees_money_but_not_the_audit_trail(client: Client, csr, rosa_account):
    client.force_login(csr)
    page = client.get(f"/accounts/{rosa_account.number}/").content.decode()
    assert "$90.01" in page
    assert "Audit trail" not in page


def test_one_search_hit_opens_the_account_and_several_show_a_list(client: Client, csr, rosa_account):
    client.force_login(csr)
    response = client.get("/search/", {"q": "pena rosa"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{rosa_account.number}/"
    response = client.get("/search/", {"q": "nobody-at-all"})
    assert "No account matches" in response.content.decode()


def test_a_note_is_added_in_place_and_audited(client: Client, csr, rosa_account):
    client.force_login(csr)
    response = client.post(
        f"/accounts/{rosa_account.number}/notes/",
        {"body": "Asked about sewer charge"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="notes"' in response.content.decode()
    assert "Asked about sewer charge" in response.content.decode()
    note = AccountNote.objects.get()
    assert (note.body, note.author) == ("Asked about sewer charge", csr)
    assert AuditEvent.objects.filter(action="account.note", account_number=rosa_account.number).count() == 1


def test_a_blank_note_is_refused_saying_what_to_fill_in_and_nothing_is_saved(
    client: Client, csr, rosa_account
):
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(
            f"/accounts/{rosa_account.number}/notes/", {"body": "   "}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 422
    assert AccountNote.objects.count() == 0


def test_an_auditor_cannot_post_a_note_even_by_forging_the_request(client: Client, auditor, rosa_account):
    client.force_login(auditor)
    with assert_nothing_changed():
        response = client.post(f"/accounts/{rosa_account.number}/notes/", {"body": "forged"})
    assert response.status_code == 403
    assert AccountNote.objects.count() == 0


def test_a_forged_request_without_the_csrf_token_is_refused(csr, rosa_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(f"/accounts/{rosa_account.number}/notes/", {"body": "no token"})
    assert response.status_code == 403
    assert AccountNote.objects.count() == 0


def test_move_in_from_the_counter_form_opens_an_account(client: Client, csr, frozen):
    client.force_login(csr)
    response = client.post(
        "/move-in/",
        {
            "kind": "person",
            "first_name": "Luis",
            "last_name": "Ortiz",
            "phone": "(760) 555-0101",
            "preferred_language": "en",
            "house_number": "84",
            "street_name": "Calle Techa",
            "city": "Coachella",
            "zip_code": "92236",
            "premise_type": "single_family",
            "dwelling_units": "1",
            "billing_cycle": "2",
            "mailing_same_as_service": "on",
            "service_water": "on",
            "service_refuse": "on",
            "start_date": "2026-12-01",
        },
    )
    account = Account.objects.get(customer__last_name="Ortiz")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{account.number}/"
    assert account.status == "active"
    assert sorted(account.agreements.values_list("service", "rate_schedule_code", "start_date")) == [
        ("refuse", "R-96GAL", dt.date(2026, 12, 1)),
        ("water", "W-RES", dt.date(2026, 12, 1)),
    ]
    assert account.customer.mailing_line1 == "84 Calle Techa"


def test_move_in_without_a_service_is_refused_and_nothing_is_created(client: Client, csr, frozen):
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(
            "/move-in/",
            {
                "kind": "person",
                "last_name": "Ortiz",
                "preferred_language": "en",
                "house_number": "84",
                "street_name": "Calle Techa",
                "city": "Coachella",
                "zip_code": "92236",
                "premise_type": "single_family",
                "dwelling_units": "1",
                "billing_cycle": "1",
                "mailing_same_as_service": "on",
                "start_date": "2026-12-01",
            },
        )
    assert response.status_code == 422
    assert "Choose at least one service to start." in response.content.decode()
    assert Account.objects.count() == 0


def test_move_out_ends_every_service_and_finals_the_account(client: Client, csr, rosa_account):
    client.force_login(csr)
    response = client.post(f"/accounts/{rosa_account.number}/move-out/", {"end_date": "2026-12-15"})
    assert response.status_code == 302
    rosa_account.refresh_from_db()
    assert rosa_account.status == "final"
    assert set(rosa_account.agreements.values_list("end_date", flat=True)) == {dt.date(2026, 12, 15)}


def test_move_out_before_the_account_opened_is_refused_with_the_reason(client: Client, csr, rosa_account):
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(f"/accounts/{rosa_account.number}/move-out/", {"end_date": "2026-10-01"})
    assert response.status_code == 422
    rosa_account.refresh_from_db()
    assert rosa_account.status == "active"
    assert "2026-11-02" in response.content.decode()


def test_the_trial_balance_page_shows_balanced_funds(client: Client, supervisor, rosa_account):
    client.force_login(supervisor)
    page = client.get("/ledger/trial-balance/").content.decode()
    assert "Debits equal credits in every fund." in page
    assert "$90.01" in page


def test_a_change_to_the_customer_shows_in_the_account_audit_trail(client: Client, technician, rosa_account):
    from civicbill.customers import services

    services.customer_update(customer=rosa_account.customer, actor=technician, phone="760-555-0188")
    client.force_login(technician)
    page = client.get(f"/accounts/{rosa_account.number}/").content.decode()
    assert "customer.update" in page
    assert "(760) 555-0142 → (760) 555-0188" in page or "760-555-0142 → 760-555-0188" in page


def test_transfer_finals_the_old_account_and_opens_one_at_the_new_address(client: Client, csr, rosa_account):
    client.force_login(csr)
    response = client.post(
        f"/accounts/{rosa_account.number}/transfer/",
        {
            "move_date": "2026-12-10",
            "house_number": "14",
            "street_name": "Calle Paloma",
            "city": "Coachella",
            "zip_code": "92236",
            "premise_type": "single_family",
            "dwelling_units": "1",
            "billing_cycle": "1",
        },
    )
    rosa_account.refresh_from_db()
    new = Account.objects.exclude(pk=rosa_account.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{new.number}/"
    assert (rosa_account.status, rosa_account.closed_on) == ("final", dt.date(2026, 12, 10))
    assert (new.customer_id, new.opened_on, new.premise.address_line) == (
        rosa_account.customer_id,
        dt.date(2026, 12, 11),
        "14 Calle Paloma",
    )
    assert sorted(new.agreements.values_list("service", flat=True)) == ["sewer", "water"]


def test_transfer_to_the_same_address_is_refused_and_nothing_changes(client: Client, csr, rosa_account):
    client.force_login(csr)
    with assert_nothing_changed():
        response = client.post(
            f"/accounts/{rosa_account.number}/transfer/",
            {
                "move_date": "2026-12-10",
                "house_number": "52",
                "street_name": "Avenue 48",
                "city": "Coachella",
                "zip_code": "92236",
                "premise_type": "single_family",
                "dwelling_units": "1",
                "billing_cycle": "1",
            },
        )
    assert response.status_code == 422
    assert "already at 52 Avenue 48" in response.content.decode()
    rosa_account.refresh_from_db()
    assert rosa_account.status == "active"
    assert Account.objects.count() == 1


def test_the_account_page_changes_the_refuse_containers_of_an_open_agreement(
    client: Client, csr, make_account
):
    from civicbill.core.models import AuditEvent
    from civicbill.customers.services import AgreementSpec

    account = make_account(services=(("water", "W-RES"), AgreementSpec("refuse", "R-96GAL", containers=2)))
    client.force_login(csr)
    page = client.get(f"/accounts/{account.number}/").content.decode()
    assert "2 containers" in page
    assert f'href="/accounts/{account.number}/agreements/refuse/"' in page
    assert f'href="/accounts/{account.number}/agreements/water/"' not in page
    form = client.get(f"/accounts/{account.number}/agreements/refuse/").content.decode()
    assert 'name="containers"' in form and 'value="2"' in form
    response = client.post(
        f"/accounts/{account.number}/agreements/refuse/", {"containers": "3", "container_size": "96"}
    )
    assert response.status_code == 302
    agreement = account.agreements.get(service="refuse")
    assert (agreement.containers, agreement.container_size) == (3, "96")
    assert (
        AuditEvent.objects.filter(action="agreement.determinants", account_number=account.number).count() == 1
    )
    refused = client.post(f"/accounts/{account.number}/agreements/refuse/", {"containers": "0"})
    assert refused.status_code == 422
    assert 'id="id_containers_error"' in refused.content.decode()
    assert client.get(f"/accounts/{account.number}/agreements/fire_line/").status_code == 404
