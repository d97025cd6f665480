"""The read validation rules, pure: each rule with its exact code, message and consumption."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest

from civicbill.meters.consumption import Register
from civicbill.meters.estimation import UsagePeriod
from civicbill.meters.validation import (
    Candidate,
    InstallationInfo,
    MeterInfo,
    PriorRead,
    ReadValidator,
    ServiceSpan,
    Thresholds,
    ValidationContext,
    Verdict,
    parse_read_value,
    usage_history,
    validate_reads,
)

AS_OF = dt.date(2026, 12, 1)
INSTALLED = dt.date(2025, 1, 1)
D = dt.date


def context(
    *,
    dials: int = 5,
    unit: str = "CF",
    reads: Sequence[tuple[dt.date, int, str, str | None]] = (),
    history: Sequence[UsagePeriod] = (),
    service: list[ServiceSpan] | None = None,
    installations: list[InstallationInfo] | None = None,
    thresholds: Thresholds | None = None,
) -> ValidationContext:
    installation = InstallationInfo(10, 1, 100, INSTALLED, Decimal(0))
    return ValidationContext(
        as_of=AS_OF,
        meters={"M1": MeterInfo(1, "M1", Register(dials, unit))},
        installations={1: installations if installations is not None else [installation]},
        reads={
            10: [
                PriorRead(10, day, Decimal(value), status, None if hcf is None else Decimal(hcf))
                for day, value, status, hcf in reads
            ]
        },
        history={100: list(history)},
        service={100: service if service is not None else [ServiceSpan(INSTALLED)]},
        thresholds=thresholds or Thresholds(),
    )


def check(ctx: ValidationContext, read_on: dt.date, value: str | Decimal, source: str = "handheld"):
    return ReadValidator(ctx).validate(Candidate("M1", read_on, value, source, line=7))


def flat_history(start: dt.date, months: int, hcf_per_period: str) -> list[UsagePeriod]:
    periods, day = [], start
    for _ in range(months):
        following = D(day.year + (day.month == 12), day.month % 12 + 1, 1)
        periods.append(UsagePeriod(day, following, Decimal(hcf_per_period)))
        day = following
    return periods


# -- accepted ------------------------------------------------------------------------------------


def test_an_ordinary_read_is_accepted_with_its_consumption_in_hcf():
    result = check(context(reads=[(D(2026, 10, 2), 4_530, "actual", "12")]), D(2026, 11, 1), "6012")
    assert result.verdict is Verdict.ACCEPTED
    assert (result.code, result.message) == ("", "")
    assert result.value == Decimal(6012)
    assert result.consumption_hcf == Decimal("14.82")
    assert result.rolled_over is False
    assert (result.meter_id, result.installation_id, result.service_point_id) == (1, 10, 100)
    assert result.period_days == 30


def test_a_five_dial_register_read_99986_then_11_gives_25_units():
    ctx = context(unit="HCF", reads=[(D(2026, 10, 1), 99_986, "actual", "20")])
    result = check(ctx, D(2026, 11, 1), "11")
    assert result.verdict is Verdict.ACCEPTED
    assert result.consumption_hcf == Decimal(25)
    assert result.rolled_over is True


# -- bad: cannot be stored ----------------------------------------------------------------------


def test_an_unknown_meter_is_bad():
    result = ReadValidator(context()).validate(Candidate("NOPE-9", D(2026, 11, 1), "10", "handheld"))
    assert (result.verdict, result.code) == (Verdict.BAD, "unknown_meter")
    assert result.message == "No meter with serial number 'NOPE-9' in the inventory."


@pytest.mark.parametrize("text", ["12a", "", "-5", "1.2345", "1e3", "NaN", "4,512"])
def test_a_value_that_is_not_a_register_reading_is_bad(text):
    result = check(context(), D(2026, 11, 1), text)
    assert (result.verdict, result.code) == (Verdict.BAD, "not_numeric")
    assert result.message == (
        f"Read value {text!r} is not a register reading (digits only, at most 3 decimal places)."
    )


def test_parse_read_value_keeps_exact_decimals():
    assert parse_read_value(" 4512.125 ") == Decimal("4512.125")
    assert parse_read_value(Decimal("-1")) is None


def test_more_digits_than_dials_is_bad():
    result = check(context(dials=4), D(2026, 11, 1), "10000")
    assert (result.verdict, result.code) == (Verdict.BAD, "too_many_digits")
    assert (
        result.message == "Read 10,000 has more digits than the 4-dial register of meter M1 (at most 9,999)."
    )


def test_the_same_meter_date_and_value_as_a_stored_read_is_a_duplicate():
    ctx = context(reads=[(D(2026, 11, 1), 5_000, "actual", "50")])
    result = check(ctx, D(2026, 11, 1), "5000")
    assert (result.verdict, result.code) == (Verdict.BAD, "duplicate")
    assert result.message == "Meter M1 already has the read 5,000 on 2026-11-01."


def test_a_read_repeated_later_in_the_file_is_a_duplicate_and_the_first_is_kept():
    rows = [
        Candidate("M1", D(2026, 11, 1), "3000", "amr", line=2),
        Candidate("M1", D(2026, 11, 1), "3000", "amr", line=3),
    ]
    first, second = validate_reads(rows, context())
    assert first.verdict is Verdict.ACCEPTED
    assert (second.verdict, second.code) == (Verdict.BAD, "duplicate")


def test_a_field_re_read_confirming_a_held_read_is_not_a_duplicate():
    ctx = context(reads=[(D(2026, 10, 1), 1_000, "actual", "10"), (D(2026, 11, 1), 9_000, "exception", "80")])
    assert check(ctx, D(2026, 11, 1), "9000").code == "duplicate"
    assert check(ctx, D(2026, 11, 1), "9000", source="field").verdict is not Verdict.BAD


def test_a_unit_the_meter_does_not_read_in_is_bad():
    result = ReadValidator(context()).validate(Candidate("M1", D(2026, 11, 1), "10", "amr", unit="GAL"))
    assert (result.verdict, result.code) == (Verdict.BAD, "unit_mismatch")
    assert result.message == "The file gives the read in GAL but meter M1 reads in CF."


# -- exceptions ----------------------------------------------------------------------------------


def test_lower_than_previous_and_not_a_plausible_rollover_is_an_exception():
    ctx = context(dials=4, reads=[(D(2026, 10, 2), 4_530, "actual", "10")])
    result = check(ctx, D(2026, 11, 1), "4512")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "lower_than_previous")
    assert result.message == (
        "Read 4,512 is lower than the previous read 4,530 on 2026-10-02 and is not a plausible "
        "rollover for a 4-dial meter: it would mean 9,982 CF."
    )
    assert result.consumption_hcf is None


# -- issue 11, point 20: a rollover must be plausible against the meter's history --------------------
NOT_A_ROLLOVER_60000_10000 = (
    "Read 10,000 is lower than the previous read 60,000 on 2026-10-02 and is not a plausible "
    "rollover for a 5-dial meter: it would mean 50,000 CF."
)


@pytest.mark.parametrize("history", [(), "10"], ids=["no_history", "usual_10_hcf_a_month"])
def test_60000_then_10000_on_five_dials_is_held_not_billed_as_50000_cf(history):
    periods = flat_history(D(2025, 10, 1), 12, history) if history else ()
    ctx = context(dials=5, reads=[(D(2026, 10, 2), 60_000, "actual", "10")], history=periods)
    result = check(ctx, D(2026, 11, 1), "10000")
    assert (result.verdict, result.code, result.message) == (
        Verdict.EXCEPTION,
        "lower_than_previous",
        NOT_A_ROLLOVER_60000_10000,
    )
    assert (result.consumption_hcf, result.rolled_over) == (None, False)


def test_a_rollover_within_the_usual_use_is_accepted():
    ctx = context(
        dials=5,
        reads=[(D(2026, 10, 2), 99_500, "actual", "10")],
        history=flat_history(D(2025, 10, 1), 12, "10"),
    )
    result = check(ctx, D(2026, 11, 1), "400")
    assert (result.verdict, result.consumption_hcf, result.rolled_over) == (
        Verdict.ACCEPTED,
        Decimal(9),
        True,
    )


def test_a_rollover_above_the_high_limit_of_the_usual_use_is_not_a_rollover():
    """2,000 CF (20 HCF) in a month on a meter that uses 1 HCF a month: no wrap, a misread."""
    ctx = context(
        dials=5,
        reads=[(D(2026, 10, 2), 99_000, "actual", "1")],
        history=flat_history(D(2025, 10, 1), 12, "1"),
    )
    result = check(ctx, D(2026, 11, 1), "1000")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "lower_than_previous")
    assert result.message.endswith("for a 5-dial meter: it would mean 2,000 CF.")


@pytest.mark.parametrize(
    ("previous", "current", "accepted"),
    [(95_000, 4_000, True), (90_000, 0, True), (90_000, 1, False), (60_000, 10_000, False)],
)
def test_without_history_a_rollover_is_at_most_a_tenth_of_the_register(previous, current, accepted):
    ctx = context(dials=5, reads=[(D(2026, 10, 2), previous, "actual", "10")])
    result = check(ctx, D(2026, 11, 1), str(current))
    assert (result.verdict is Verdict.ACCEPTED, result.rolled_over) == (accepted, accepted)


def test_a_meter_not_installed_on_the_read_date_is_an_exception():
    removed = InstallationInfo(10, 1, 100, INSTALLED, Decimal(0), removed_on=D(2026, 6, 30))
    result = check(context(installations=[removed]), D(2026, 7, 15), "10")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "not_installed")
    assert (
        result.message
        == "Meter M1 is not installed at any service point on 2026-07-15 (it was removed on 2026-06-30)."
    )
    assert result.installation_id is None
    never = check(context(installations=[]), D(2026, 7, 15), "10")
    assert never.message == "Meter M1 is not installed at any service point on 2026-07-15."


def test_a_read_before_the_install_date_is_outside_the_read_window():
    later = InstallationInfo(10, 1, 100, D(2026, 3, 1), Decimal(0))
    result = check(context(installations=[later]), D(2026, 2, 1), "10")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "outside_read_window")
    assert result.message == "Read date 2026-02-01 is before meter M1 was installed on 2026-03-01."


def test_a_read_in_the_future_is_outside_the_read_window_but_measured():
    ctx = context(reads=[(D(2026, 11, 1), 1_000, "actual", "10")])
    result = check(ctx, D(2026, 12, 5), "1500")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "outside_read_window")
    assert result.message == "Read date 2026-12-05 is in the future (today is 2026-12-01)."
    assert result.consumption_hcf == Decimal(5)


def test_a_read_not_after_the_last_read_is_outside_the_read_window():
    ctx = context(reads=[(D(2026, 11, 1), 1_000, "actual", "10")])
    result = check(ctx, D(2026, 10, 20), "900")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "outside_read_window")
    assert result.message == (
        "Read date 2026-10-20 is not after the last read of meter M1 (1,000 on 2026-11-01); "
        "reads must come in date order."
    )


def test_zero_consumption_on_an_active_account_is_an_exception():
    ctx = context(reads=[(D(2026, 10, 1), 1_000, "actual", "10")])
    result = check(ctx, D(2026, 11, 1), "1000")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "zero_consumption")
    assert (
        result.message == "No use registered in 31 days since the read on 2026-10-01, on an active account."
    )
    assert result.consumption_hcf == Decimal(0)


def test_zero_consumption_where_no_account_has_service_is_accepted():
    ctx = context(reads=[(D(2026, 10, 1), 1_000, "actual", "10")], service=[])
    assert check(ctx, D(2026, 11, 1), "1000").verdict is Verdict.ACCEPTED


def test_usage_where_no_account_has_service_is_an_exception():
    ctx = context(
        reads=[(D(2026, 10, 1), 1_000, "actual", "10")],
        service=[ServiceSpan(INSTALLED, D(2026, 9, 30))],
    )
    result = check(ctx, D(2026, 11, 1), "1250")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "usage_on_inactive_account")
    assert result.message == "2.5 HCF used since 2026-10-01 but no account has service here on 2026-11-01."


def test_high_use_against_the_last_12_months_is_an_exception():
    history = flat_history(D(2026, 3, 1), 7, "15")  # 15 HCF a month: about 0.49 HCF a day
    ctx = context(reads=[(D(2026, 10, 1), 10_000, "actual", "15")], history=history)
    result = check(ctx, D(2026, 11, 1), "13000")  # 30 HCF in 31 days
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "high_usage")
    assert result.message == (
        "Use of 30 HCF over 31 days (0.97 HCF/day) is 197% of the usual 0.49 HCF/day (last 12 months); "
        "the high limit is 150%."
    )
    assert result.consumption_hcf == Decimal(30)


def test_low_use_against_the_last_12_months_is_an_exception():
    history = flat_history(D(2026, 3, 1), 7, "15")
    ctx = context(reads=[(D(2026, 10, 1), 10_000, "actual", "15")], history=history)
    result = check(ctx, D(2026, 11, 1), "10600")  # 6 HCF
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "low_usage")
    assert result.message == (
        "Use of 6 HCF over 31 days (0.19 HCF/day) is 39% of the usual 0.49 HCF/day (last 12 months); "
        "the low limit is 50%."
    )


def test_use_within_the_limits_is_accepted_and_thresholds_are_configurable():
    history = flat_history(D(2026, 3, 1), 7, "15")
    ctx = context(reads=[(D(2026, 10, 1), 10_000, "actual", "15")], history=history)
    assert check(ctx, D(2026, 11, 1), "12000").verdict is Verdict.ACCEPTED  # 20 HCF: 131 %
    strict = context(
        reads=[(D(2026, 10, 1), 10_000, "actual", "15")],
        history=history,
        thresholds=Thresholds(high_percent=120),
    )
    assert check(strict, D(2026, 11, 1), "12000").code == "high_usage"


def test_with_a_year_of_history_a_summer_read_is_compared_with_last_summer():
    # a desert pattern: 60 HCF a month in summer (Jun-Sep), 15 in the other months
    periods, day = [], D(2025, 1, 1)
    while day < D(2026, 7, 1):
        following = D(day.year + (day.month == 12), day.month % 12 + 1, 1)
        periods.append(UsagePeriod(day, following, Decimal(60 if 6 <= day.month <= 9 else 15)))
        day = following
    ctx = context(reads=[(D(2026, 7, 1), 50_000, "actual", "60")], history=periods)
    july = check(ctx, D(2026, 8, 1), "56000")  # 60 HCF in July, as last July
    assert july.verdict is Verdict.ACCEPTED
    winter = context(reads=[(D(2026, 7, 1), 50_000, "actual", "60")], history=periods[:-6] + periods[-6:])
    high = check(winter, D(2026, 8, 1), "62000")  # 120 HCF: twice last July
    assert high.code == "high_usage"
    assert "(same period last year)" in high.message
    assert "1.94 HCF/day" in high.message  # last July: 60 HCF over 31 days


def test_usage_rules_skip_short_periods_such_as_daily_ami_reads():
    history = flat_history(D(2026, 3, 1), 7, "15")
    ctx = context(reads=[(D(2026, 10, 31), 10_000, "actual", "0.5")], history=history)
    assert check(ctx, D(2026, 11, 1), "10000").verdict is Verdict.ACCEPTED  # zero use in one day
    assert check(ctx, D(2026, 11, 1), "10900").verdict is Verdict.ACCEPTED  # 9 HCF in one day


def test_more_consecutive_estimates_than_allowed_is_an_exception():
    reads = [
        (D(2026, 7, 1), 1_000, "actual", "10"),
        (D(2026, 8, 1), 2_000, "estimated", "10"),
        (D(2026, 9, 1), 3_000, "estimated", "10"),
        (D(2026, 10, 1), 4_000, "estimated", "10"),
    ]
    result = check(context(reads=reads), D(2026, 11, 1), "5000", source="estimated")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "too_many_estimates")
    assert result.message == (
        "3 estimated reads in a row since the last actual read on 2026-07-01; the limit is 3: "
        "a field read is needed."
    )
    assert (
        check(context(reads=reads[:3]), D(2026, 10, 1), "4000", source="estimated").verdict
        is Verdict.ACCEPTED
    )


# -- the true-up ---------------------------------------------------------------------------------


TRUE_UP_READS = [
    (D(2026, 8, 1), 1_000, "actual", "10"),
    (D(2026, 9, 1), 2_000, "estimated", "10"),  # 1,000 CF = 10 HCF estimated
    (D(2026, 10, 1), 3_000, "estimated", "10"),
]


def test_the_next_actual_read_bills_its_use_since_the_last_actual_minus_the_estimates():
    result = check(context(reads=TRUE_UP_READS), D(2026, 11, 1), "3500")
    assert result.verdict is Verdict.ACCEPTED
    assert result.usage_hcf == Decimal(25)  # 3,500 − 1,000 CF since 2026-08-01
    assert result.consumption_hcf == Decimal(5)  # 25 − 20 already billed


def test_when_the_estimates_billed_more_than_was_used_the_credit_is_held_for_review():
    result = check(context(reads=TRUE_UP_READS), D(2026, 11, 1), "2500")
    assert (result.verdict, result.code) == (Verdict.EXCEPTION, "true_up_credit")
    assert result.consumption_hcf == Decimal(-5)
    assert result.message == (
        "Actual use since the read on 2026-08-01 is 15 HCF, less than the 20 HCF already billed on "
        "2 estimated read(s): a credit of 5 HCF."
    )


def test_an_actual_read_lower_than_an_estimate_but_above_the_last_actual_is_not_lower_than_previous():
    result = check(context(reads=TRUE_UP_READS), D(2026, 11, 1), "1200")
    assert result.code == "true_up_credit"  # 2 HCF used, 20 billed: an 18 HCF credit
    assert result.consumption_hcf == Decimal(-18)


# -- batches -------------------------------------------------------------------------------------


def test_a_batch_chains_each_meters_reads_in_date_order_whatever_the_file_order():
    rows = [
        Candidate("M1", D(2026, 10, 1), "3000", "amr", line=2),
        Candidate("M1", D(2026, 8, 1), "1000", "amr", line=3),
        Candidate("M1", D(2026, 9, 1), "2100", "amr", line=4),
    ]
    results = validate_reads(rows, context(reads=[(D(2026, 7, 1), 0, "actual", "0")]))
    assert [r.verdict for r in results] == [Verdict.ACCEPTED] * 3
    assert [r.consumption_hcf for r in results] == [Decimal(9), Decimal(10), Decimal(11)]
    assert [r.candidate.line for r in results] == [2, 3, 4]


def test_usage_history_runs_from_each_read_to_the_next_within_an_installation():
    installation = InstallationInfo(10, 1, 100, D(2026, 1, 1), Decimal(0))
    reads = {
        10: [
            PriorRead(10, D(2026, 1, 1), Decimal(0), "actual", Decimal(0)),
            PriorRead(10, D(2026, 2, 1), Decimal(1000), "actual", Decimal(10)),
            PriorRead(10, D(2026, 2, 15), Decimal(1200), "exception", Decimal(2)),
            PriorRead(10, D(2026, 3, 1), Decimal(1800), "estimated", Decimal(8)),
        ]
    }
    assert usage_history([installation], reads) == [
        UsagePeriod(D(2026, 1, 1), D(2026, 2, 1), Decimal(10)),
        UsagePeriod(D(2026, 2, 1), D(2026, 3, 1), Decimal(8)),
    ]
    # loaded from a later date: the first loaded read's period start is unknown, so it is left out
    assert usage_history([installation], {10: reads[10][1:]}, loaded_from=D(2026, 1, 15)) == [
        UsagePeriod(D(2026, 2, 1), D(2026, 3, 1), Decimal(8))
    ]
