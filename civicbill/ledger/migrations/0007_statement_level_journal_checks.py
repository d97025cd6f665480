"""PostgreSQL: the journal's rules checked once per statement instead of once per row (ADR 0009).

Same rules as migration 0003, same messages; what changes is how often PostgreSQL runs them:

* the header check (balanced, open period, no reversal of a reversal) is an ``AFTER INSERT ... FOR
  EACH STATEMENT`` trigger reading the statement's new headers from a transition table, so a
  ``COPY`` of 5,000 headers runs three set-based queries instead of 5,000 PL/pgSQL calls;
* the seal (no line added to a posted entry) is a statement trigger on lines the same way;
* the commit-time re-check (closing the race of a concurrent writer adding a line to an entry whose
  header it cannot see yet) was a deferred constraint trigger per line. Constraint triggers can only
  be per row, so each line statement now queues *one* row naming the distinct entries it touched in
  ``ledger_line_commit_check`` (unlogged, emptied as it is checked), and a deferred constraint
  trigger on that queue re-checks those entries at commit in one query.

SQLite keeps its per-row triggers (it has no statement triggers; its row triggers are cheap).
"""

from django.db import migrations

from civicbill.core.append_only import vendor_sql

POSTGRESQL = [
    "DROP TRIGGER IF EXISTS ledger_journalentry_check ON ledger_journalentry;",
    "DROP FUNCTION IF EXISTS ledger_journalentry_check();",
    "DROP TRIGGER IF EXISTS ledger_journalline_sealed ON ledger_journalline;",
    "DROP FUNCTION IF EXISTS ledger_journalline_sealed();",
    "DROP TRIGGER IF EXISTS ledger_journalline_entry_balanced ON ledger_journalline;",
    "DROP FUNCTION IF EXISTS ledger_journalline_entry_balanced();",
    # -- headers: one check per statement -------------------------------------------------------
    """CREATE FUNCTION ledger_journalentry_check() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        bad record;
    BEGIN
        -- grouped per new header, joined (not a LEFT JOIN to a grouped subquery, which the planner
        -- may run as a nested loop over the whole statement: quadratic)
        SELECT n.id, n.total_cents, count(l.entry_id) AS line_count,
               coalesce(sum(l.debit_cents), 0) AS debit_total,
               coalesce(sum(l.credit_cents), 0) AS credit_total
          INTO bad
          FROM new_entries n
          LEFT JOIN ledger_journalline l ON l.entry_id = n.id
         GROUP BY n.id, n.total_cents
        HAVING count(l.entry_id) < 2
            OR coalesce(sum(l.debit_cents), 0) <> n.total_cents
            OR coalesce(sum(l.credit_cents), 0) <> n.total_cents
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'journal entry % is not balanced: % lines, debits % cents, credits % cents, declared total % cents (an entry needs at least two lines, inserted before its header)',
                bad.id, bad.line_count, bad.debit_total, bad.credit_total, bad.total_cents
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT n.accounting_date INTO bad
          FROM new_entries n
          JOIN ledger_accountingperiod p
            ON p.month = date_trunc('month', n.accounting_date)::date AND p.status = 'closed'
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'accounting period % is closed: post the correction into an open period',
                to_char(bad.accounting_date, 'YYYY-MM') USING ERRCODE = 'check_violation';
        END IF;
        SELECT n.id INTO bad
          FROM new_entries n
         WHERE n.reverses_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM ledger_journalentry reversed
                        WHERE reversed.id = n.reverses_id AND reversed.reverses_id IS NOT NULL)
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'journal entry % reverses a reversal: post a new entry instead', bad.id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$;""",
    """CREATE TRIGGER ledger_journalentry_check AFTER INSERT ON ledger_journalentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_journalentry_check();""",
    # -- lines: the seal, per statement --------------------------------------------------------
    """CREATE FUNCTION ledger_journalline_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        sealed_id uuid;
    BEGIN
        SELECT nl.entry_id INTO sealed_id
          FROM new_lines nl
         WHERE EXISTS (SELECT 1 FROM ledger_journalentry e WHERE e.id = nl.entry_id)
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'journal entry % is already posted: lines cannot be added to it', sealed_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$;""",
    """CREATE TRIGGER ledger_journalline_sealed AFTER INSERT ON ledger_journalline
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_journalline_sealed();""",
    # -- lines: the commit-time re-check, queued once per statement ----------------------------
    """CREATE UNLOGGED TABLE ledger_line_commit_check (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        entry_ids uuid[] NOT NULL
    );""",
    """CREATE FUNCTION ledger_journalline_queue_commit_check() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        touched uuid[];
    BEGIN
        SELECT array_agg(DISTINCT entry_id) INTO touched FROM new_lines;
        IF touched IS NOT NULL THEN
            INSERT INTO ledger_line_commit_check (entry_ids) VALUES (touched);
        END IF;
        RETURN NULL;
    END $$;""",
    """CREATE TRIGGER ledger_journalline_queue_commit_check AFTER INSERT ON ledger_journalline
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_journalline_queue_commit_check();""",
    """CREATE FUNCTION ledger_journalline_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        bad record;
    BEGIN
        SELECT u.id, e.id IS NOT NULL AS has_header, e.total_cents, count(l.entry_id) AS line_count,
               coalesce(sum(l.debit_cents), 0) AS debit_total,
               coalesce(sum(l.credit_cents), 0) AS credit_total
          INTO bad
          FROM unnest(NEW.entry_ids) AS u(id)
          LEFT JOIN ledger_journalentry e ON e.id = u.id
          LEFT JOIN ledger_journalline l ON l.entry_id = u.id
         GROUP BY u.id, e.id, e.total_cents
        HAVING e.id IS NULL OR count(l.entry_id) < 2
            OR coalesce(sum(l.debit_cents), 0) <> e.total_cents
            OR coalesce(sum(l.credit_cents), 0) <> e.total_cents
         LIMIT 1;
        IF FOUND THEN
            IF NOT bad.has_header THEN
                RAISE EXCEPTION 'journal lines belong to entry %, which has no header', bad.id
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            RAISE EXCEPTION 'journal entry % is not balanced at commit: % lines, debits % cents, credits % cents, declared total % cents',
                bad.id, bad.line_count, bad.debit_total, bad.credit_total, bad.total_cents
                USING ERRCODE = 'check_violation';
        END IF;
        DELETE FROM ledger_line_commit_check WHERE id = NEW.id;
        RETURN NULL;
    END $$;""",
    """CREATE CONSTRAINT TRIGGER ledger_journalline_entry_balanced AFTER INSERT ON ledger_line_commit_check
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_journalline_entry_balanced();""",
]

# back to migration 0003's per-row triggers
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_journalentry_check ON ledger_journalentry;",
    "DROP FUNCTION IF EXISTS ledger_journalentry_check();",
    "DROP TRIGGER IF EXISTS ledger_journalline_sealed ON ledger_journalline;",
    "DROP FUNCTION IF EXISTS ledger_journalline_sealed();",
    "DROP TRIGGER IF EXISTS ledger_journalline_queue_commit_check ON ledger_journalline;",
    "DROP FUNCTION IF EXISTS ledger_journalline_queue_commit_check();",
    "DROP TABLE IF EXISTS ledger_line_commit_check;",
    "DROP FUNCTION IF EXISTS ledger_journalline_entry_balanced();",
]


def _restore_row_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    row_level = import_module("civicbill.ledger.migrations.0003_journal_triggers")
    for statement in row_level.POSTGRESQL:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_gl_export")]

    operations = [
        # reversed, this runs last: after the statement-level objects are dropped
        migrations.RunPython(migrations.RunPython.noop, _restore_row_triggers),
        vendor_sql({"sqlite": [], "postgresql": POSTGRESQL}, {"sqlite": [], "postgresql": POSTGRESQL_REVERSE}),
    ]
