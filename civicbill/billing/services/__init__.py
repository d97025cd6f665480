"""Billing writes: cycles, runs (start, trial, commit), exception review, final bills, cancel/rebill."""

from civicbill.billing.services.commit import bill_run_commit
from civicbill.billing.services.corrections import CancelRebillOutcome, bill_cancel_rebill
from civicbill.billing.services.cycles import billing_cycle_ensure, cycle_period
from civicbill.billing.services.final import final_bill_issue
from civicbill.billing.services.review import bill_exception_resolve
from civicbill.billing.services.runs import bill_run_start, bill_run_trial

__all__ = [
    "CancelRebillOutcome",
    "bill_cancel_rebill",
    "bill_exception_resolve",
    "bill_run_commit",
    "bill_run_start",
    "bill_run_trial",
    "billing_cycle_ensure",
    "cycle_period",
    "final_bill_issue",
]
