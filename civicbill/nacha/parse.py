"""One record (a 94-character line) to its dataclass, with every field check on the way.

A field that cannot be read is reported and replaced by a neutral value (0, ``None``, the raw text),
so the rest of the file can still be checked.
"""

from __future__ import annotations

import datetime as dt

from civicbill.nacha import codes, layouts
from civicbill.nacha.corrections import parse_corrected_data
from civicbill.nacha.layouts import Field
from civicbill.nacha.problems import Problem
from civicbill.nacha.records import (
    Addenda,
    Addenda05,
    Addenda98,
    Addenda99,
    Addenda99Contested,
    Addenda99Dishonored,
    BatchControl,
    BatchHeader,
    EntryDetail,
    FileControl,
    FileHeader,
)

_F = {
    name: {spec.name: spec for spec in layout if spec.name != "reserved"}
    for name, layout in layouts.LAYOUTS.items()
}
_FH, _BH, _ED = _F["file header"], _F["batch header"], _F["entry detail"]
_A05, _A98, _A99 = _F["addenda 05"], _F["addenda 98"], _F["addenda 99"]
_A99D, _A99C = _F["addenda 99 dishonored"], _F["addenda 99 contested"]
_BC, _FC = _F["batch control"], _F["file control"]


def _yymmdd(text: str) -> dt.date | None:
    if len(text) != 6 or not text.isdigit():
        return None
    try:
        return dt.date(2000 + int(text[0:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


class RecordParser:
    def __init__(self, *, allow_custom_return_codes: bool = False) -> None:
        self.allow_custom = allow_custom_return_codes
        self.problems: list[Problem] = []

    # -- field helpers ---------------------------------------------------------------------------

    def _bad(self, line: int, record: str, spec: Field, message: str, found: str, expected: str) -> None:
        self.problems.append(
            Problem(
                line, record, spec.name, message, found=found, expected=expected, positions=spec.positions
            )
        )

    def _num(self, line: int, record: str, spec: Field, text: str) -> int:
        if text.isdigit():
            return int(text)
        self._bad(line, record, spec, f"{spec.title} must be numeric", text, "digits (zero-filled)")
        return 0

    def _digits(self, line: int, record: str, spec: Field, text: str, *, blank_ok: bool = False) -> str:
        if text.isdigit() or (blank_ok and not text.strip()):
            return text.strip() if blank_ok and not text.strip() else text
        expected = "digits or blanks" if blank_ok else f"{spec.width} digits"
        self._bad(line, record, spec, f"{spec.title} must be numeric", text, expected)
        return text

    def _date(self, line: int, record: str, spec: Field, text: str, *, blank_ok: bool) -> dt.date | None:
        if blank_ok and (text == "000000" or not text.strip()):
            return None
        value = _yymmdd(text)
        if value is None:
            self._bad(line, record, spec, f"{spec.title} is not a date", text, "YYMMDD")
        return value

    def _required(self, line: int, record: str, spec: Field, text: str) -> str:
        value = text.rstrip(" ")
        if not value:
            self._bad(line, record, spec, f"{spec.title} is required", text, "not blank")
        return value

    def _routing8(self, line: int, record: str, spec: Field, text: str) -> str:
        return self._digits(line, record, spec, text)

    # -- records ---------------------------------------------------------------------------------

    def file_header(self, n: int, r: str) -> FileHeader:
        rec = "file header"
        f = _FH
        if r[1:3] != "01":
            self._bad(n, rec, f["priority_code"], "priority code must be 01", r[1:3], "01")
        destination = r[3:13].strip()
        if not codes.is_valid_routing_number(destination):
            self._bad(
                n,
                rec,
                f["immediate_destination"],
                "immediate destination must be a routing number with a valid check digit",
                r[3:13],
                " NNNNNNNNN (blank + 9-digit routing number)",
            )
        origin = r[13:23].strip()
        if not origin or not origin.isdigit():
            self._bad(
                n,
                rec,
                f["immediate_origin"],
                "immediate origin must be numeric",
                r[13:23],
                "a routing number or a 10-digit company identification",
            )
        created = self._date(n, rec, f["file_creation_date"], r[23:29], blank_ok=False)
        time_text = r[29:33]
        time: dt.time | None = None
        if time_text.strip():
            if time_text.isdigit() and int(time_text[:2]) < 24 and int(time_text[2:]) < 60:
                time = dt.time(int(time_text[:2]), int(time_text[2:]))
            else:
                self._bad(
                    n,
                    rec,
                    f["file_creation_time"],
                    "file creation time is not a time",
                    time_text,
                    "HHMM or blank",
                )
        modifier = r[33]
        if modifier not in codes.FILE_ID_MODIFIERS:
            self._bad(
                n, rec, f["file_id_modifier"], "file ID modifier must be A-Z or 0-9", modifier, "A-Z, 0-9"
            )
        if r[34:37] != "094":
            self._bad(n, rec, f["record_size"], "record size must be 094", r[34:37], "094")
        if r[37:39] != "10":
            self._bad(n, rec, f["blocking_factor"], "blocking factor must be 10", r[37:39], "10")
        if r[39] != "1":
            self._bad(n, rec, f["format_code"], "format code must be 1", r[39], "1")
        return FileHeader(
            immediate_destination=destination,
            immediate_origin=origin,
            file_creation_date=created,
            file_creation_time=time,
            file_id_modifier=modifier,
            immediate_destination_name=r[40:63].rstrip(" "),
            immediate_origin_name=r[63:86].rstrip(" "),
            reference_code=r[86:94].rstrip(" "),
            priority_code=r[1:3],
        )

    def batch_header(self, n: int, r: str) -> BatchHeader:
        rec = "batch header"
        f = _BH
        service_class = self._num(n, rec, f["service_class_code"], r[1:4])
        if r[1:4].isdigit() and service_class not in codes.SERVICE_CLASSES:
            self._bad(
                n, rec, f["service_class_code"], "unknown service class code", r[1:4], "200, 220 or 225"
            )
        sec = r[50:53]
        if sec not in codes.SEC_CODES:
            self._bad(
                n,
                rec,
                f["sec_code"],
                "unknown or unsupported standard entry class code",
                sec,
                "PPD, CCD, WEB, TEL, POS, COR (or IAT, recognised only)",
            )
        iat = sec in codes.UNSUPPORTED_SEC_CODES
        company_id = r[40:50].rstrip(" ")
        if not iat:
            self._required(n, rec, f["company_identification"], r[40:50])
        status = r[78]
        if status not in "012":
            self._bad(
                n, rec, f["originator_status_code"], "originator status code must be 0, 1 or 2", status, "1"
            )
        return BatchHeader(
            service_class_code=service_class,
            company_name=r[4:20].rstrip(" "),
            company_identification=company_id,
            sec_code=sec.rstrip(" "),
            company_entry_description=r[53:63].rstrip(" "),
            effective_entry_date=self._date(n, rec, f["effective_entry_date"], r[69:75], blank_ok=True),
            odfi_identification=self._digits(n, rec, f["odfi_identification"], r[79:87]),
            batch_number=self._num(n, rec, f["batch_number"], r[87:94]),
            company_discretionary_data=r[20:40].rstrip(" "),
            company_descriptive_date=r[63:69].rstrip(" "),
            settlement_date=self._digits(n, rec, f["settlement_date"], r[75:78], blank_ok=True),
            originator_status_code=status,
        )

    def entry(self, n: int, r: str) -> tuple[EntryDetail, int]:
        """The entry (without its addenda, which follow) and its addenda indicator as read."""
        rec = "entry detail"
        f = _ED
        code_text = r[1:3]
        if code_text.isdigit():
            code = int(code_text)
            if code not in codes.TRANSACTION_CODES:
                self._bad(
                    n,
                    rec,
                    f["transaction_code"],
                    "unknown transaction code",
                    code_text,
                    "a NACHA transaction code (22, 23, 27, 28, 32, 33, 37, 38...)",
                )
        else:
            code = self._num(n, rec, f["transaction_code"], code_text)
        routing = r[3:12]
        if not codes.is_valid_routing_number(routing):
            if not routing.isdigit():
                spec = f["receiving_dfi_identification"] if not r[3:11].isdigit() else f["check_digit"]
                self._bad(n, rec, spec, f"{spec.title} must be numeric", spec.cut(r), "digits")
            else:
                self._bad(
                    n,
                    rec,
                    f["check_digit"],
                    f"routing number {routing} fails its check digit (weights 3,7,1,3,7,1,3,7)",
                    r[11],
                    str(codes.routing_check_digit(routing[:8])),
                )
        amount_text = r[29:39]
        amount = (
            int(amount_text) if amount_text.isdigit() else self._num(n, rec, f["amount_cents"], amount_text)
        )
        if amount and code in codes.ZERO_AMOUNT_CODES:
            self._bad(
                n,
                rec,
                f["amount_cents"],
                "a prenote or zero-dollar entry must have amount 0",
                amount_text,
                "0000000000",
            )
        account = r[12:29].rstrip(" ")
        if not account:
            self._required(n, rec, f["account_number"], r[12:29])
        indicator_text = r[78]
        if indicator_text != "0" and indicator_text != "1":
            self._bad(
                n,
                rec,
                f["addenda_indicator"],
                "addenda record indicator must be 0 or 1",
                indicator_text,
                "0 or 1",
            )
        trace = r[79:94]
        if not trace.isdigit():
            self._digits(n, rec, f["trace_number"], trace)
        entry = EntryDetail(
            code,
            routing,
            account,
            amount,
            r[54:76].rstrip(" "),
            trace,
            r[39:54].rstrip(" "),
            r[76:78].rstrip(" "),
        )
        return entry, 1 if indicator_text == "1" else 0

    def addenda(self, n: int, r: str, *, entry: EntryDetail, sec_code: str, index: int) -> Addenda | None:
        kind = r[1:3]
        if kind == codes.ADDENDA_PAYMENT:
            return self._addenda05(n, r, entry=entry, sec_code=sec_code, index=index)
        if kind == codes.ADDENDA_NOC:
            return self._addenda98(n, r, sec_code=sec_code)
        if kind == codes.ADDENDA_RETURN:
            return self._addenda99(n, r)
        message = (
            f"IAT addenda type {kind} outside an IAT batch"
            if kind in codes.IAT_ADDENDA_TYPES
            else "unknown addenda type code"
        )
        self.problems.append(
            Problem(
                n, "addenda", "addenda_type", message, found=kind, expected="05, 98 or 99", positions="2-3"
            )
        )
        return None

    def _addenda05(self, n: int, r: str, *, entry: EntryDetail, sec_code: str, index: int) -> Addenda05:
        rec = "addenda 05"
        f = _A05
        if sec_code == "COR":
            self._bad(n, rec, f["addenda_type"], "a COR batch carries addenda 98, not 05", "05", "98")
        sequence = self._num(n, rec, f["sequence_number"], r[83:87])
        if r[83:87].isdigit() and sequence != index:
            self._bad(
                n,
                rec,
                f["sequence_number"],
                "addenda sequence numbers count 1, 2... per entry",
                r[83:87],
                f"{index:04d}",
            )
        entry_sequence = self._num(n, rec, f["entry_detail_sequence_number"], r[87:94])
        if r[87:94].isdigit() and entry.trace_number.isdigit() and r[87:94] != entry.trace_number[-7:]:
            self._bad(
                n,
                rec,
                f["entry_detail_sequence_number"],
                "must equal the last 7 digits of the entry's trace number",
                r[87:94],
                entry.trace_number[-7:],
            )
        return Addenda05(r[3:83].rstrip(" "), sequence, entry_sequence)

    def _addenda98(self, n: int, r: str, *, sec_code: str) -> Addenda98:
        rec = "addenda 98"
        f = _A98
        if sec_code != "COR":
            self._bad(
                n,
                rec,
                f["addenda_type"],
                "a notification of change belongs in a COR batch",
                "98",
                f"05 or 99 in a {sec_code} batch",
            )
        change_code = r[3:6]
        corrected = r[35:64].rstrip(" ")
        if change_code not in codes.CHANGE_CODES:
            self._bad(n, rec, f["change_code"], "unknown change code", change_code, "C01-C14 or C61-C69")
        else:
            _, wrong = parse_corrected_data(change_code, corrected)
            for message in wrong:
                self._bad(n, rec, f["corrected_data"], message, r[35:64], f"corrected data for {change_code}")
        return Addenda98(
            change_code=change_code,
            original_trace_number=self._digits(n, rec, f["original_trace_number"], r[6:21]),
            original_rdfi_identification=self._digits(n, rec, f["original_rdfi_identification"], r[27:35]),
            corrected_data=corrected,
            trace_number=self._digits(n, rec, f["trace_number"], r[79:94]),
        )

    def _addenda99(self, n: int, r: str) -> Addenda:
        code = r[3:6]
        if code in codes.DISHONORED_RETURN_CODES:
            rec, f = "addenda 99 dishonored", _A99D
            return Addenda99Dishonored(
                return_reason_code=code,
                original_trace_number=self._digits(n, rec, f["original_trace_number"], r[6:21]),
                original_rdfi_identification=self._digits(
                    n, rec, f["original_rdfi_identification"], r[27:35]
                ),
                return_trace_number=self._digits(n, rec, f["return_trace_number"], r[38:53]),
                return_settlement_date=self._digits(
                    n, rec, f["return_settlement_date"], r[53:56], blank_ok=True
                ),
                original_return_reason=self._digits(n, rec, f["original_return_reason"], r[56:58]),
                trace_number=self._digits(n, rec, f["trace_number"], r[79:94]),
                addenda_information=r[58:79].rstrip(" "),
            )
        if code in codes.CONTESTED_RETURN_CODES:
            rec, f = "addenda 99 contested", _A99C
            d = self._digits
            return Addenda99Contested(
                return_reason_code=code,
                original_trace_number=d(n, rec, f["original_trace_number"], r[6:21]),
                date_original_entry_returned=d(
                    n, rec, f["date_original_entry_returned"], r[21:27], blank_ok=True
                ),
                original_rdfi_identification=d(n, rec, f["original_rdfi_identification"], r[27:35]),
                original_settlement_date=d(n, rec, f["original_settlement_date"], r[35:38], blank_ok=True),
                return_trace_number=d(n, rec, f["return_trace_number"], r[38:53]),
                return_settlement_date=d(n, rec, f["return_settlement_date"], r[53:56], blank_ok=True),
                original_return_reason=d(n, rec, f["original_return_reason"], r[56:58]),
                dishonored_return_trace_number=d(n, rec, f["dishonored_return_trace_number"], r[58:73]),
                dishonored_return_settlement_date=d(
                    n, rec, f["dishonored_return_settlement_date"], r[73:76], blank_ok=True
                ),
                dishonored_return_reason=d(n, rec, f["dishonored_return_reason"], r[76:78]),
                trace_number=d(n, rec, f["trace_number"], r[79:94]),
            )
        rec, f = "addenda 99", _A99
        if not codes.is_return_reason_code(code, allow_custom=self.allow_custom):
            custom = len(code) == 3 and code[0] == "R" and code[1:].isdigit()
            message = (
                "non-standard return reason code (allowed only when custom return codes are allowed)"
                if custom
                else "unknown return reason code"
            )
            self._bad(n, rec, f["return_reason_code"], message, code, "a standard R code (R01-R85)")
        return Addenda99(
            return_reason_code=code,
            original_trace_number=self._digits(n, rec, f["original_trace_number"], r[6:21]),
            original_rdfi_identification=self._digits(n, rec, f["original_rdfi_identification"], r[27:35]),
            trace_number=self._digits(n, rec, f["trace_number"], r[79:94]),
            date_of_death=self._date(n, rec, f["date_of_death"], r[21:27], blank_ok=True),
            addenda_information=r[35:79].rstrip(" "),
        )

    def batch_control(self, n: int, r: str) -> BatchControl:
        rec, f = "batch control", _BC
        num = self._num
        return BatchControl(
            service_class_code=num(n, rec, f["service_class_code"], r[1:4]),
            entry_addenda_count=num(n, rec, f["entry_addenda_count"], r[4:10]),
            entry_hash=num(n, rec, f["entry_hash"], r[10:20]),
            total_debit_cents=num(n, rec, f["total_debit_cents"], r[20:32]),
            total_credit_cents=num(n, rec, f["total_credit_cents"], r[32:44]),
            company_identification=r[44:54].rstrip(" "),
            odfi_identification=self._digits(n, rec, f["odfi_identification"], r[79:87]),
            batch_number=num(n, rec, f["batch_number"], r[87:94]),
            message_authentication_code=r[54:73].rstrip(" "),
        )

    def file_control(self, n: int, r: str) -> FileControl:
        rec, f = "file control", _FC
        num = self._num
        return FileControl(
            batch_count=num(n, rec, f["batch_count"], r[1:7]),
            block_count=num(n, rec, f["block_count"], r[7:13]),
            entry_addenda_count=num(n, rec, f["entry_addenda_count"], r[13:21]),
            entry_hash=num(n, rec, f["entry_hash"], r[21:31]),
            total_debit_cents=num(n, rec, f["total_debit_cents"], r[31:43]),
            total_credit_cents=num(n, rec, f["total_credit_cents"], r[43:55]),
        )
