"""The bill tells the truth (issue 13): one English and one Spanish customer across five months.

October: a service deposit of $100.00 and the first bill. November: a check pays the October bill
and the deposit, a cash payment of $99.38 is keyed by mistake and voided; the November bill. December:
a check pays November and the bank returns it with a $25.00 fee; the meter shows three times the
usual use; the December bill. January: the November read was mistyped, so November is cancelled and
rebilled; a payment on February 1 comes in before the late January run (bill date January 30).
February: move-out and the final bill with the deposit applied. What each bill prints is read back
from its PDF, in English and in Spanish, and the books tie at the end.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from civicbill.billing.documents import bill_document, bill_pdf
from civicbill.billing.documents.payinfo import ENVELOPE_9_WINDOW
from civicbill.billing.models import Bill
from civicbill.billing.services import (
    bill_cancel_rebill,
    bill_run_commit,
    bill_run_start,
    bill_run_trial,
    final_bill_issue,
)
from civicbill.core.money import Money
from civicbill.customers.models import Customer
from civicbill.customers.services import account_close
from civicbill.ledger.selectors import account_balance, check_books
from civicbill.meters.models import Read
from civicbill.payments import services as payment_services
from civicbill.payments.services.customer_deposits import customer_deposit_charge
from civicbill.payments.tenders import TenderInput
from tests.pdf_helpers import pdf_strings_at, pdf_texts

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("America/Los_Angeles")
READS = (  # cubic feet: 15 HCF a month, 45 in December (three times the usual), 5 to move-out
    (dt.date(2026, 8, 28), 8_500),
    (dt.date(2026, 9, 28), 10_000),
    (dt.date(2026, 10, 28), 11_500),
    (dt.date(2026, 11, 28), 13_000),
    (dt.date(2026, 12, 28), 17_500),
    (dt.date(2027, 1, 28), 19_000),
    (dt.date(2027, 2, 10), 19_500),
)
OCT, NOV, DEC, JAN = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL)


class Story:
    """The clock, the staff and a drawer per business day."""

    def __init__(self, frozen: Any, staff: dict[str, Any]) -> None:
        self.frozen = frozen
        self.staff = staff
        self.sessions: dict[dt.date, Any] = {}

    def now(self, day: dt.date, hour: int = 10) -> dt.datetime:
        moment = at(day, hour)
        self.frozen.move_to(moment)
        return moment

    def session(self, day: dt.date) -> Any:
        """That day's drawer session, of that day's cashier (one open session per cashier)."""
        if day not in self.sessions:
            cashier = self.staff["make_user"]("CSR", username=f"cashier-{day}")
            drawer = payment_services.drawer_create(
                location_code="CH", location_name="City Hall", code=f"CH-{day:%m%d}", name=f"Window {day}",
                actor=self.staff["supervisor"],
            )  # fmt: skip
            self.sessions[day] = payment_services.drawer_session_open(
                drawer=drawer, starting_float=Money.zero(), as_of=at(day, 8), actor=cashier
            )
        return self.sessions[day]

    def pay(self, account: Any, amount: str, day: dt.date, *, tender: str = "check", hour: int = 10) -> Any:
        moment = self.now(day, hour)
        money = Money.parse(amount)
        return payment_services.payment_take(
            session=self.session(day),
            accounts=[payment_services.AccountAmount(account, money)],
            tenders=[TenderInput(tender, money, check_number="1001" if tender == "check" else "")],
            idempotency_key=f"truth:{account.number}:{day}:{hour}",
            as_of=moment,
            actor=self.session(day).cashier,
        )

    def run(self, period: dt.date, day: dt.date) -> None:
        self.now(day, 7)
        technician = self.staff["technician"]
        run = bill_run_start(cycle_number=1, period=period, actor=technician, as_of=day)
        bill_run_trial(run_id=run.pk, actor=technician, as_of=day)
        bill_run_commit(run_id=run.pk, actor=technician, as_of=day)


def bill_text(number: str) -> str:
    """Page 1 of the bill's PDF as text."""
    return pdf_texts(bill_pdf(bill_number=number))[0]


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) + len(start) : text.index(end, text.index(start))].strip()


def summary(number: str) -> str:
    """The account summary's rows as the PDF prints them."""
    text = bill_text(number)
    if "Account summary" in text:
        return between(text, "Account summary", "Total amount due")
    return between(text, "Resumen de la cuenta", "Total a pagar")


def messages(number: str) -> str:
    text = bill_text(number)
    if "Messages" in text:
        return between(text, "Messages", "Late penalty")
    return between(text, "Mensajes", "Recargo por pago tardío")


@pytest.fixture
def story(frozen: Any, make_user: Any, technician: Any, supervisor: Any) -> Story:
    return Story(frozen, {"make_user": make_user, "technician": technician, "supervisor": supervisor})


def test_what_each_bill_prints_across_five_months(
    cycle: Any, make_account: Any, story: Story, csr: Any, technician: Any, supervisor: Any
) -> None:
    tom = make_account(reads=READS, last_name="Baker")
    rosa = make_account(reads=READS, last_name="Peña")
    Customer.objects.filter(pk=rosa.customer_id).update(preferred_language="es")
    for account in (tom, rosa):
        story.now(dt.date(2026, 10, 2))
        customer_deposit_charge(
            account_number=account.number, amount=Money.parse("100.00"), memo="", actor=csr,
            as_of=dt.date(2026, 10, 2),
        )  # fmt: skip
    story.run(OCT, dt.date(2026, 10, 30))
    for account in (tom, rosa):
        story.pay(account, "178.11", dt.date(2026, 11, 5))
        mistake = story.pay(account, "99.38", dt.date(2026, 11, 6), tender="cash")
        payment_services.payment_void(
            payment=mistake, reason="keyed on the wrong account", approved_by=supervisor,
            as_of=story.now(dt.date(2026, 11, 6), 11), actor=story.session(dt.date(2026, 11, 6)).cashier,
        )  # fmt: skip
    story.run(NOV, dt.date(2026, 11, 30))
    for account in (tom, rosa):
        check = story.pay(account, "78.11", dt.date(2026, 12, 3))
        payment_services.payment_return(
            payment=check, reason="NSF", fee=Money.parse("25.00"), as_of=story.now(dt.date(2026, 12, 10)),
            actor=supervisor,
        )  # fmt: skip
    story.run(DEC, dt.date(2026, 12, 30))
    # January: the November read was mistyped (13,000 for 12,700): November is cancelled and rebilled
    Read.objects.filter(service_point__premise=tom.premise, read_on=dt.date(2026, 11, 28)).update(
        value=Decimal(12_700), consumption_hcf=Decimal(12)
    )
    story.now(dt.date(2027, 1, 4))
    bill_cancel_rebill(
        bill_number=f"202611-{tom.number}", reason="November read mistyped", actor=supervisor,
        as_of=dt.date(2027, 1, 4),
    )  # fmt: skip
    # a payment on February 2, after the January bill date (February 1), before the run made late
    story.pay(tom, "50.00", dt.date(2027, 2, 2), tender="cash")
    story.run(JAN, dt.date(2027, 2, 3))
    story.now(dt.date(2027, 2, 10))
    account_close(account=tom, end_date=dt.date(2027, 2, 10), actor=csr)
    story.now(dt.date(2027, 2, 11))
    final_bill_issue(account_number=tom.number, actor=csr, as_of=dt.date(2027, 2, 11))
    tom_bills = {bill.period: bill.number for bill in Bill.objects.filter(account=tom, kind="regular")}
    rosa_bills = {bill.period: bill.number for bill in Bill.objects.filter(account=rosa, kind="regular")}

    # October: the deposit charged is an adjustment
    assert summary(tom_bills[OCT]) == (
        "Previous balance $0.00 Payments received - thank you $0.00 Adjustments $100.00 "
        "Balance forward $100.00 Current charges $78.11"
    )

    # November: the voided 99.38 nets out of the payments and is no adjustment
    assert summary(tom_bills[NOV]) == (
        "Previous balance $178.11 Payments received - thank you $178.11 CR Adjustments $0.00 "
        "Balance forward $0.00 Current charges $78.11"
    )
    assert "99.38" not in bill_text(tom_bills[NOV])
    assert summary(rosa_bills[NOV]) == (
        "Saldo anterior $178.11 Pagos recibidos - gracias $178.11 CR Ajustes $0.00 Saldo pendiente $0.00 "
        "Cargos del mes $78.11"
    )

    # December: the returned check and its fee on their own lines; three times the usual use, said so
    assert summary(tom_bills[DEC]) == (
        "Previous balance $78.11 Payments received - thank you $78.11 CR Returned payment $78.11 "
        "Returned payment fee $25.00 Adjustments $0.00 Balance forward $103.11 Current charges $123.71"
    )
    assert messages(tom_bills[DEC]) == (
        "Your water use was high: about 1,122 gallons a day, 3.0 times your usual 368 gallons a day. "
        "Please check for a leak: turn off every tap, then look at the leak indicator on your meter; if it "
        "moves, water is leaking after the meter. A running toilet or a broken sprinkler is a common cause. "
        "Your previous balance of $103.11 is past due. Please pay it now to avoid a late penalty and "
        "interruption of your water service. Para recibir su factura en español, llame al (760) 555-0100."
    )
    assert summary(rosa_bills[DEC]) == (
        "Saldo anterior $78.11 Pagos recibidos - gracias $78.11 CR Pago devuelto $78.11 "
        "Cargo por pago devuelto $25.00 Ajustes $0.00 Saldo pendiente $103.11 Cargos del mes $123.71"
    )
    assert messages(rosa_bills[DEC]).startswith(
        "Su consumo de agua fue alto: unos 1,122 galones al día, 3,0 veces su consumo habitual de 368 "
        "galones al día. Revise si hay una fuga: cierre todas las llaves y observe el indicador de fugas "
        "de su medidor;"
    )
    assert messages(tom_bills[NOV]).startswith("15 HCF is 11,220 gallons")  # usual use: no such message

    # the rebill of November shows November's history (not December's), then the activity since
    rebill = Bill.objects.get(account=tom, kind="rebill")
    assert summary(rebill.number) == (
        "Previous balance $178.11 Payments received - thank you $178.11 CR Adjustments $0.00 "
        "Balance forward $0.00 Current charges $73.61 Account activity after November 30, 2026 $148.71"
    )
    assert "Total amount due $222.32" in bill_text(rebill.number)
    assert rebill.total_due_cents == 22232

    # January (bill date February 1, run on February 3): the payment of February 2 is not on it
    assert summary(tom_bills[JAN]) == (
        "Previous balance $222.32 Payments received - thank you $0.00 Adjustments $0.00 "
        "Balance forward $222.32 Current charges $78.11"
    )
    january = Bill.objects.get(number=tom_bills[JAN])
    assert (january.bill_date, january.payments_cents, january.total_due_cents) == (
        dt.date(2027, 2, 1),
        0,
        30043,
    )

    # the final bill: the February 2 payment, the deposit applied (not a payment), no interruption
    # warning, no comparison of its 13 days with a month
    final = Bill.objects.get(account=tom, kind="final")
    assert summary(final.number) == (
        "Previous balance $300.43 Payments received - thank you $50.00 CR Adjustments $0.00 "
        "Deposit applied $100.00 CR Balance forward $150.43 Current charges $30.82"
    )
    assert messages(final.number) == (
        "This is your final bill for this service address. Thank you for being our customer. "
        "Your service deposit of $100.00 has been applied to this bill. "
        "Your previous balance of $150.43 is past due. Please pay it now to avoid a late penalty. "
        "5 HCF is 3,740 gallons: about 288 gallons a day. "
        "Para recibir su factura en español, llame al (760) 555-0100."
    )
    assert final.total_due_cents == account_balance(tom).cents == 18125
    assert bill_document(bill_number=final.number).deposit_applied == Money.parse("-100.00")
    # every bill ends with the line in the other language
    assert messages(tom_bills[OCT]).endswith("Para recibir su factura en español, llame al (760) 555-0100.")
    assert messages(rosa_bills[OCT]).endswith("To receive your bill in English, call (760) 555-0100.")
    assert check_books().ok


def test_the_remittance_address_is_what_a_number_9_envelope_window_shows(
    cycle: Any, make_account: Any, story: Story
) -> None:
    account = make_account(reads=READS)
    story.run(OCT, dt.date(2026, 10, 30))
    content = bill_pdf(bill_number=f"202610-{account.number}")
    left, bottom, right, top = ENVELOPE_9_WINDOW
    assert (left, bottom, right, top) == (63.0, 45.0, 387.0, 126.0)  # 7/8 in, 5/8 in, 4 1/2 x 1 1/8 in
    inside = [
        text for x, y, text in pdf_strings_at(content) if left <= x <= right and bottom <= y + 7 and y <= top
    ]
    assert inside == ["CITY OF COACHELLA UTILITY BILLING", "PO BOX 2370", "COACHELLA, CA 92236-2370"]
    placed = {text: (x, y) for x, y, text in pdf_strings_at(content)}
    for line in inside:  # a quarter inch clear of the window's sides, an eighth above and below
        x, y = placed[line]
        assert left + 18 <= x and y >= bottom + 9 and y + 10 <= top - 9
