"""Database rules of the journal, on SQLite and PostgreSQL (see civicbill.ledger.models).

* entries and lines are append-only (no UPDATE, DELETE, TRUNCATE);
* an entry header can be inserted only after its lines, which must be at least two, with
  SUM(debit_cents) = SUM(credit_cents) = total_cents (lines first, header last);
* a line cannot be added to an entry whose header exists (a posted entry is sealed);
* no entry dated in a closed accounting month; no reversal of a reversal;
* PostgreSQL only: a deferred constraint trigger re-checks each line's entry at commit, closing
  the race between concurrent writers (SQLite has a single writer).
"""

from django.db import migrations

from civicbill.core.append_only import append_only_operations, vendor_sql

SQLITE = [
    """CREATE TRIGGER ledger_journalentry_balanced BEFORE INSERT ON ledger_journalentry
    BEGIN
        SELECT RAISE(ABORT, 'journal entry is not balanced: an entry needs at least two lines, inserted before its header, whose debits and credits both equal total_cents')
        FROM (SELECT COUNT(*) AS line_count,
                     COALESCE(SUM(debit_cents), 0) AS debit_total,
                     COALESCE(SUM(credit_cents), 0) AS credit_total
              FROM ledger_journalline WHERE entry_id = NEW.id)
        WHERE line_count < 2 OR debit_total != NEW.total_cents OR credit_total != NEW.total_cents;
    END;""",
    """CREATE TRIGGER ledger_journalentry_open_period BEFORE INSERT ON ledger_journalentry
    WHEN EXISTS (SELECT 1 FROM ledger_accountingperiod
                 WHERE month = date(NEW.accounting_date, 'start of month') AND status = 'closed')
    BEGIN
        SELECT RAISE(ABORT, 'accounting period is closed: post the correction into an open period');
    END;""",
    """CREATE TRIGGER ledger_journalentry_no_reversal_of_reversal BEFORE INSERT ON ledger_journalentry
    WHEN NEW.reverses_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM ledger_journalentry WHERE id = NEW.reverses_id AND reverses_id IS NOT NULL)
    BEGIN
        SELECT RAISE(ABORT, 'a reversal cannot be reversed: post a new entry instead');
    END;""",
    """CREATE TRIGGER ledger_journalline_sealed BEFORE INSERT ON ledger_journalline
    WHEN EXISTS (SELECT 1 FROM ledger_journalentry WHERE id = NEW.entry_id)
    BEGIN
        SELECT RAISE(ABORT, 'journal entry is already posted: lines cannot be added to it');
    END;""",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_journalentry_balanced;",
    "DROP TRIGGER IF EXISTS ledger_journalentry_open_period;",
    "DROP TRIGGER IF EXISTS ledger_journalentry_no_reversal_of_reversal;",
    "DROP TRIGGER IF EXISTS ledger_journalline_sealed;",
]

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION ledger_journalentry_check() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        line_count bigint;
        debit_total numeric;
        credit_total numeric;
    BEGIN
        SELECT count(*), coalesce(sum(debit_cents), 0), coalesce(sum(credit_cents), 0)
          INTO line_count, debit_total, credit_total
          FROM ledger_journalline WHERE entry_id = NEW.id;
        IF line_count < 2 OR debit_total <> NEW.total_cents OR credit_total <> NEW.total_cents THEN
            RAISE EXCEPTION 'journal entry % is not balanced: % lines, debits % cents, credits % cents, declared total % cents (an entry needs at least two lines, inserted before its header)',
                NEW.id, line_count, debit_total, credit_total, NEW.total_cents
                USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (SELECT 1 FROM ledger_accountingperiod
                   WHERE month = date_trunc('month', NEW.accounting_date)::date AND status = 'closed') THEN
            RAISE EXCEPTION 'accounting period % is closed: post the correction into an open period',
                to_char(NEW.accounting_date, 'YYYY-MM') USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.reverses_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM ledger_journalentry WHERE id = NEW.reverses_id AND reverses_id IS NOT NULL) THEN
            RAISE EXCEPTION 'journal entry % reverses a reversal: post a new entry instead', NEW.id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$;""",
    "DROP TRIGGER IF EXISTS ledger_journalentry_check ON ledger_journalentry;",
    """CREATE TRIGGER ledger_journalentry_check BEFORE INSERT ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_journalentry_check();""",
    """CREATE OR REPLACE FUNCTION ledger_journalline_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM ledger_journalentry WHERE id = NEW.entry_id) THEN
            RAISE EXCEPTION 'journal entry % is already posted: lines cannot be added to it', NEW.entry_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$;""",
    "DROP TRIGGER IF EXISTS ledger_journalline_sealed ON ledger_journalline;",
    """CREATE TRIGGER ledger_journalline_sealed BEFORE INSERT ON ledger_journalline
    FOR EACH ROW EXECUTE FUNCTION ledger_journalline_sealed();""",
    """CREATE OR REPLACE FUNCTION ledger_journalline_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        declared_total bigint;
        line_count bigint;
        debit_total numeric;
        credit_total numeric;
    BEGIN
        SELECT total_cents INTO declared_total FROM ledger_journalentry WHERE id = NEW.entry_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'journal line % belongs to entry %, which has no header', NEW.id, NEW.entry_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        SELECT count(*), coalesce(sum(debit_cents), 0), coalesce(sum(credit_cents), 0)
          INTO line_count, debit_total, credit_total
          FROM ledger_journalline WHERE entry_id = NEW.entry_id;
        IF line_count < 2 OR debit_total <> declared_total OR credit_total <> declared_total THEN
            RAISE EXCEPTION 'journal entry % is not balanced at commit: % lines, debits % cents, credits % cents, declared total % cents',
                NEW.entry_id, line_count, debit_total, credit_total, declared_total
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$;""",
    "DROP TRIGGER IF EXISTS ledger_journalline_entry_balanced ON ledger_journalline;",
    """CREATE CONSTRAINT TRIGGER ledger_journalline_entry_balanced AFTER INSERT ON ledger_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_journalline_entry_balanced();""",
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_journalentry_check ON ledger_journalentry;",
    "DROP FUNCTION IF EXISTS ledger_journalentry_check();",
    "DROP TRIGGER IF EXISTS ledger_journalline_sealed ON ledger_journalline;",
    "DROP FUNCTION IF EXISTS ledger_journalline_sealed();",
    "DROP TRIGGER IF EXISTS ledger_journalline_entry_balanced ON ledger_journalline;",
    "DROP FUNCTION IF EXISTS ledger_journalline_entry_balanced();",
]


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_chart_of_accounts")]

    operations = [
        *append_only_operations("ledger_journalentry"),
        *append_only_operations("ledger_journalline"),
        vendor_sql({"sqlite": SQLITE, "postgresql": POSTGRESQL},
                   {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
    ]
