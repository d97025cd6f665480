"""Autopay by ACH: enrollments, NACHA debit (draft) files, returns and notifications of change.

See docs/autopay.md. The NACHA records themselves are written and read by the pure library
:mod:`civicbill.nacha`; the payments this app drafts are posted by the payments app
(:mod:`civicbill.payments.services.ach`).
"""
