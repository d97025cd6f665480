"""A read's references (meter, installation, service point, read import, user) are checked by the
database's triggers instead of FOREIGN KEY constraints (ADR 0007): a read pointing at a row that does
not exist is refused, whichever way it is written, and a referenced row cannot be deleted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from civicbill.meters.models import Read, ReadImport
from civicbill.meters.services.read_store import insert_accepted_reads_trusted
from civicbill.meters.validation import Candidate, ReadResult, Verdict
from tests.meters.reads_helpers import AT, make_site

pytestmark = pytest.mark.django_db
MISSING = 987_654_321
REFERENCES = ("meter_id", "installation_id", "service_point_id", "read_import_id", "created_by_id")


@pytest.fixture
def site(frozen, csr):
    return make_site("M-REF", actor=csr, dials=5)


def _read_values(site, csr, **changes):
    read_import = ReadImport.objects.create(
        file_name="r.csv", file_sha256="a" * 64, file_format="csv", imported_by=csr, imported_at=AT
    )
    values = {
        "meter_id": site.meter.pk,
        "installation_id": site.installation.pk,
        "service_point_id": site.point.pk,
        "read_import_id": read_import.pk,
        "created_by_id": csr.pk,
    }
    return {**values, **changes}


@pytest.mark.parametrize("column", REFERENCES)
def test_a_read_referring_to_a_missing_row_is_refused(site, csr, column):
    before = Read.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        Read.objects.create(
            **_read_values(site, csr, **{column: MISSING}),
            read_on=dt.date(2026, 11, 1),
            value=Decimal(10),
            source="manual",
            status="actual",
            consumption_hcf=Decimal("0.1"),
            created_at=AT,
        )
    assert Read.objects.count() == before


def test_a_read_with_every_reference_present_is_stored(site, csr):
    read = Read.objects.create(
        **_read_values(site, csr),
        read_on=dt.date(2026, 11, 1),
        value=Decimal(10),
        source="manual",
        status="actual",
        consumption_hcf=Decimal("0.1"),
        created_at=AT,
    )
    assert Read.objects.get(pk=read.pk).meter_id == site.meter.pk


@pytest.mark.parametrize("column", REFERENCES)
def test_changing_a_reference_to_a_missing_row_is_refused(site, csr, column):
    read = Read.objects.filter(meter=site.meter).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Read.objects.filter(pk=read.pk).update(**{column: MISSING})
    assert getattr(Read.objects.get(pk=read.pk), column) != MISSING


def test_a_bulk_write_with_one_missing_meter_stores_nothing(site, csr):
    """The import's writer (COPY on PostgreSQL, executemany on SQLite) is checked as any INSERT."""
    values = _read_values(site, csr)
    good = ReadResult(
        Candidate("M-REF", dt.date(2026, 11, 1), "10", "amr"), Verdict.ACCEPTED,
        meter_id=site.meter.pk, installation_id=site.installation.pk, service_point_id=site.point.pk,
        value=Decimal(10), consumption_hcf=Decimal("0.1"),
    )  # fmt: skip
    bad = ReadResult(
        Candidate("M-REF", dt.date(2026, 11, 2), "11", "amr"), Verdict.ACCEPTED,
        meter_id=MISSING, installation_id=site.installation.pk, service_point_id=site.point.pk,
        value=Decimal(11), consumption_hcf=Decimal("0.01"),
    )  # fmt: skip
    before = Read.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_accepted_reads_trusted(
            [good, bad], read_import_id=values["read_import_id"], created_by_id=csr.pk, created_at=AT
        )
    assert Read.objects.count() == before


@pytest.mark.parametrize(
    ("table", "attribute"),
    [
        ("meters_meter", "meter"),
        ("meters_meterinstallation", "installation"),
        ("meters_servicepoint", "point"),
    ],
)
def test_a_row_a_read_refers_to_cannot_be_deleted(site, table, attribute):
    """Raw SQL, past the ORM's PROTECT: the database itself refuses at once (the other tables'
    foreign keys to these rows are deferred to commit, so the reads' trigger is what stops it here)."""
    row_id = getattr(site, attribute).pk
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row_id])  # noqa: S608 - our own names
    assert getattr(site, attribute).__class__.objects.filter(pk=row_id).exists()


def test_an_import_and_a_user_a_read_refers_to_cannot_be_deleted(site, csr):
    values = _read_values(site, csr)
    Read.objects.filter(meter=site.meter).update(read_import_id=values["read_import_id"])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM meters_readimport WHERE id = %s", [values["read_import_id"]])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM auth_user WHERE id = %s", [csr.pk])
    assert ReadImport.objects.filter(pk=values["read_import_id"]).exists()
