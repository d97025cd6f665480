"""The written shutoff policy, generated from the policy data in six languages: each PDF says the
policy's numbers in its own language and every character is drawn (no missing-glyph boxes)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from civicbill.collections.policy import SHUTOFF_POLICY_LANGUAGES
from civicbill.collections.policy_document import shutoff_policy_html, shutoff_policy_pdf
from civicbill.core.exceptions import ApplicationError
from tests.pdf_helpers import pdf_texts

ON = dt.date(2026, 12, 1)

# per language: the title, the 60-day rule and the low-income reconnection caps, as the policy says them
KEY_PHRASES = {
    "en": [
        "Policy on Discontinuation of Residential Water Service for Nonpayment",
        "until the bill has been delinquent for at least 60 days",
        "at least 7 business days before any shutoff",
        "will not exceed $50.00 during business hours or $150.00 after business hours",
    ],
    "es": [
        "Política sobre la desconexión del servicio residencial de agua por falta de pago",
        "hasta que la factura tenga al menos 60 días de morosidad",
        "al menos 7 días hábiles antes de cualquier desconexión",
        "no excederá $50.00 en horario de oficina ni $150.00 fuera del horario de oficina",
    ],
    "zh": [
        "住宅供水服务因欠费停止供水政策",
        "在账单逾期至少 60 天之前，我们不会因欠费停止供水。",
        "至少 7 个工作日向您发出书面通知",
        "重新接通费在办公时间内不超过 $50.00，办公时间外不超过 $150.00",
    ],
    "tl": [
        "Patakaran sa Pagputol ng Serbisyo ng Tubig sa Tirahan Dahil sa Hindi Pagbabayad",
        "hangga't hindi delingkuwente ang bill nang hindi bababa sa 60 araw",
        "nang hindi bababa sa 7 araw ng trabaho bago ang anumang pagputol",
        "hindi hihigit sa $50.00 sa oras ng opisina o $150.00 sa labas ng oras ng opisina",
    ],
    "vi": [
        "Chính sách ngừng cung cấp nước sinh hoạt do không thanh toán",
        "cho đến khi hóa đơn đã quá hạn ít nhất 60 ngày",
        "ít nhất 7 ngày làm việc trước khi ngừng cung cấp nước",
        "sẽ không quá $50.00 trong giờ làm việc và $150.00 ngoài giờ làm việc",
    ],
    "ko": [
        "체납으로 인한 주거용 수도 서비스 중단 정책",
        "요금이 최소 60일 이상 체납되기 전에는 체납을 이유로 수도 서비스를 중단하지 않습니다.",
        "최소 7 영업일 전에 서면 통지를 보내드립니다",
        "재연결 수수료는 업무 시간 중 $50.00, 업무 시간 외 $150.00를 넘지 않으며",
    ],
}


def _visible_text(page: str) -> str:
    body = page.split("<body>", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_every_language_the_statute_names_has_its_key_phrases() -> None:
    assert sorted(KEY_PHRASES) == sorted(SHUTOFF_POLICY_LANGUAGES)


@pytest.mark.django_db
@pytest.mark.parametrize("language", SHUTOFF_POLICY_LANGUAGES)
def test_the_written_policy_pdf_states_the_rules_in_its_language_with_every_glyph_drawn(
    language: str,
) -> None:
    pdf = shutoff_policy_pdf(language, on=ON)
    text = " ".join(pdf_texts(pdf))
    for phrase in KEY_PHRASES[language]:
        assert phrase in text, phrase
    # a character no font could draw comes out of the PDF as another character (its box): every
    # character of the page's text must come back out of the PDF
    drawn = set(text)
    missing = sorted(
        {ch for ch in _visible_text(shutoff_policy_html(language, on=ON)) if not ch.isspace()} - drawn
    )
    assert missing == []
    assert "\ufffd" not in text


@pytest.mark.django_db
def test_an_unknown_language_is_refused_naming_the_field() -> None:
    with pytest.raises(ApplicationError) as refused:
        shutoff_policy_pdf("fr", on=ON)
    assert refused.value.field == "language"
