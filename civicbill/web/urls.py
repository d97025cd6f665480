from django.contrib.auth import views as auth_views
from django.urls import include, path

from civicbill.web.views import (
    accounts,
    auth,
    autopay,
    billing,
    bills,
    collections_aging,
    collections_arrangements,
    collections_notices,
    collections_policy,
    collections_programs,
    collections_run,
    collections_writeoffs,
    counter,
    counter_day,
    counter_receipts,
    counter_sessions,
    home,
    ledger,
    letters,
    meter_actions,
    meters,
    rates,
    reads,
    staff,
    tasks,
    workorders,
)

# work orders (issue 7), mounted at /workorders/; letters at /workorders/letters/ until correspondence
# gets its own place in the menu
workorder_urls = [
    path("", workorders.workorder_list, name="workorders-list"),
    path("new/", workorders.workorder_new, name="workorder-new"),
    path("field-sheet/", workorders.field_sheet_page, name="workorders-field-sheet"),
    path("field-sheet.pdf", workorders.field_sheet_pdf_view, name="workorders-field-sheet-pdf"),
    path("exceptions/<int:exception_id>/reread/", workorders.reread_request, name="workorder-reread"),
    path(
        "exceptions/<int:exception_id>/high-usage/",
        workorders.high_usage_confirm,
        name="workorder-high-usage",
    ),
    path("letters/<int:letter_id>.pdf", letters.letter_pdf_view, name="letter-pdf"),
    path("letters/<int:letter_id>/", letters.letter_html_view, name="letter"),
    path("<str:number>/", workorders.workorder_page, name="workorder"),
    path("<str:number>/complete/", workorders.workorder_complete, name="workorder-complete"),
    path("<str:number>/assign/", workorders.workorder_assign, name="workorder-assign"),
    path("<str:number>/cancel/", workorders.workorder_cancel, name="workorder-cancel"),
]

urlpatterns = [
    path("login/", auth.sign_in, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", staff.password_change_page, name="password-change"),
    path("account/tokens/", staff.my_tokens, name="my-tokens"),
    path("account/tokens/<int:token_id>/revoke/", staff.token_revoke, name="token-revoke"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/new/", staff.staff_create, name="staff-create"),
    path("staff/<int:user_id>/", staff.staff_user, name="staff-user"),
    path("", home.home, name="home"),
    path("search/", home.search, name="search"),
    path("move-in/", accounts.move_in, name="move-in"),
    path("accounts/<str:number>/", accounts.account_page, name="account"),
    path("accounts/<str:number>/notes/", accounts.note_add, name="account-note"),
    path("accounts/<str:number>/interactions/", accounts.interaction_add, name="account-interaction"),
    path("accounts/<str:number>/move-out/", accounts.move_out, name="account-move-out"),
    path("accounts/<str:number>/transfer/", accounts.transfer, name="account-transfer"),
    path(
        "accounts/<str:number>/agreements/<str:service>/", accounts.agreement_edit, name="account-agreement"
    ),
    path("accounts/<str:number>/reads/", accounts.read_add, name="account-read"),
    path("reads/route/", reads.route_entry, name="reads-route"),
    path("reads/route/read/", reads.route_entry_read, name="reads-route-read"),
    path("reads/exceptions/", reads.exceptions_queue, name="reads-exceptions"),
    path(
        "reads/exceptions/<int:exception_id>/decide/", reads.exception_decide, name="reads-exception-decide"
    ),
    path("reads/import/", reads.import_file, name="reads-import"),
    path("meters/", meters.inventory, name="meters"),
    path("meters/receive/", meter_actions.receive, name="meters-receive"),
    path("meters/<str:serial>/", meters.meter_page, name="meter"),
    path("meters/<str:serial>/action/", meter_actions.meter_action, name="meter-action"),
    path("ledger/trial-balance/", ledger.trial_balance_page, name="trial-balance"),
    path("tasks/<str:key>/", tasks.task_progress, name="task-progress"),
    path("workorders/", include(workorder_urls)),
    path("rates/", rates.schedules_list, name="rates-list"),
    path("rates/quote/", rates.quote, name="rates-quote"),
    path("rates/<str:code>/", rates.schedule_page, name="rates-schedule"),
    path("rates/<str:code>/versions/new/", rates.version_add, name="rates-version-add"),
    path("collections/", collections_run.home, name="collections"),
    path("collections/runs/start/", collections_run.run_start, name="collections-run-start"),
    path("collections/runs/<int:run_id>/", collections_run.run_page, name="collections-run"),
    path("collections/runs/<int:run_id>/status/", collections_run.run_status, name="collections-run-status"),
    path("collections/worklist/", collections_run.worklist, name="collections-worklist"),
    path("billing/runs/", billing.runs_list, name="billing-runs"),
    path("billing/unbilled/", billing.unbilled, name="billing-unbilled"),
    path("billing/runs/start/", billing.run_start, name="billing-run-start"),
    path("billing/runs/<int:run_id>/", billing.run_page, name="billing-run"),
    path("billing/runs/<int:run_id>/status/", billing.run_status, name="billing-run-status"),
    path("billing/runs/<int:run_id>/commit/", billing.run_commit, name="billing-run-commit"),
    path(
        "billing/runs/<int:run_id>/exceptions/<int:exception_id>/resolve/",
        billing.exception_resolve,
        name="billing-exception-resolve",
    ),
    path("accounts/<str:number>/bills/", bills.account_bills, name="account-bills"),
    path("accounts/<str:number>/final-bill/", bills.final_bill, name="account-final-bill"),
    path("bills/<str:number>/", bills.bill_page, name="bill"),
    path("bills/<str:number>/explain/", bills.bill_explain, name="bill-explain"),
    path("bills/<str:number>/pdf/", bills.bill_pdf, name="bill-pdf"),
    path("bills/<str:number>/cancel-rebill/", bills.cancel_rebill, name="bill-cancel-rebill"),
    path("counter/", counter.my_drawer, name="counter"),
    path("counter/pay/", counter.take_payment, name="counter-pay"),
    path("counter/misc/", counter.misc_receipt, name="counter-misc"),
    path("counter/receipts/<str:number>/", counter_receipts.receipt_page, name="counter-receipt"),
    path(
        "counter/receipts/<str:number>/print/", counter_receipts.receipt_print, name="counter-receipt-print"
    ),
    path("counter/receipts/<str:number>/pdf/", counter_receipts.receipt_pdf, name="counter-receipt-pdf"),
    path(
        "counter/receipts/<str:number>/reprint/",
        counter_receipts.receipt_reprint,
        name="counter-receipt-reprint",
    ),
    path("counter/receipts/<str:number>/void/", counter_receipts.receipt_void, name="counter-receipt-void"),
    path("counter/sessions/", counter_sessions.sessions_list, name="counter-sessions"),
    path("counter/sessions/<int:session_id>/", counter_sessions.session_page, name="counter-session"),
    path(
        "counter/sessions/<int:session_id>/close/",
        counter_sessions.session_close,
        name="counter-session-close",
    ),
    path(
        "counter/sessions/<int:session_id>/approve/",
        counter_sessions.session_approve,
        name="counter-session-approve",
    ),
    path("counter/day-close/", counter_day.day_close_page, name="counter-day"),
    path("counter/day-close/<str:day>/deposit-slip/", counter_day.deposit_slip, name="counter-deposit-slip"),
]

# payment reports and the payment channels' back-office pages (issue 5)
from civicbill.web.views import deposits, payment_channels, payment_reports, payment_transfers  # noqa: E402

urlpatterns += [
    path("payments/reports/", payment_reports.reports_index, name="payments-reports"),
    path("payments/reports/<str:name>/", payment_reports.report_page, name="payments-report"),
    path("payments/files/", payment_channels.file_upload, name="payments-files"),
    path("payments/files/<int:import_id>/", payment_channels.file_result, name="payments-file"),
    path("payments/suspense/", payment_channels.suspense_list, name="payments-suspense"),
    path(
        "payments/suspense/<int:item_id>/apply/",
        payment_channels.suspense_apply,
        name="payments-suspense-apply",
    ),
    path("payments/returns/", payment_channels.payment_return, name="payments-return"),
    path(
        "counter/receipts/<str:number>/transfer/",
        payment_transfers.receipt_transfer,
        name="counter-receipt-transfer",
    ),
    path("payments/refunds/", payment_channels.refunds_list, name="payments-refunds"),
    path(
        "payments/refunds/<int:refund_id>/decide/",
        payment_channels.refund_decide,
        name="payments-refund-decide",
    ),
    path("accounts/<str:number>/refund/", payment_channels.refund_request, name="account-refund"),
    path("accounts/<str:number>/deposit/", deposits.deposit_charge, name="account-deposit"),
    path("ledger/gl-export/", payment_channels.gl_export_page, name="gl-export"),
]

# autopay (issue 6): /autopay/... and the account page's panel /accounts/<number>/autopay/...
urlpatterns += [
    path("autopay/", autopay.enrollments_list, name="autopay-enrollments"),
    path("autopay/drafts/", autopay.drafts_list, name="autopay-drafts"),
    path("autopay/drafts/<int:draft_file_id>/", autopay.draft_page, name="autopay-draft"),
    path(
        "autopay/drafts/<int:draft_file_id>/download/", autopay.draft_download, name="autopay-draft-download"
    ),
    path("autopay/drafts/<int:draft_file_id>/cancel/", autopay.draft_cancel, name="autopay-draft-cancel"),
    path("autopay/returns/", autopay.returns_list, name="autopay-returns"),
    path("autopay/returns/files/<int:return_file_id>/", autopay.return_file_page, name="autopay-return-file"),
    path("autopay/returns/<int:return_id>/resolve/", autopay.return_resolve, name="autopay-return-resolve"),
    path("autopay/review/", autopay.review_list, name="autopay-review"),
    path("autopay/review/<int:return_id>/", autopay.review_decide, name="autopay-review-decide"),
    path(
        "autopay/authorizations/<int:authorization_id>/document/",
        autopay.authorization_document,
        name="autopay-authorization-document",
    ),
    path("autopay/report/", autopay.report, name="autopay-report"),
    path("accounts/<str:number>/autopay/", autopay.account_panel, name="account-autopay"),
    path("accounts/<str:number>/autopay/enroll/", autopay.enroll, name="account-autopay-enroll"),
    path("accounts/<str:number>/autopay/bank/", autopay.bank_change, name="account-autopay-bank"),
    path("accounts/<str:number>/autopay/end/", autopay.end, name="account-autopay-end"),
    # collections, policy and aging (issue 14)
    path("collections/policy/", collections_policy.policy_page, name="collections-policy"),
    path("collections/policy/new/", collections_policy.policy_new, name="collections-policy-new"),
    path("collections/aging/", collections_aging.aging_page, name="collections-aging"),
    path("accounts/<str:number>/collections/", collections_aging.account_panel, name="account-collections"),
    path(
        "accounts/<str:number>/collections/programs/",
        collections_programs.account_programs,
        name="account-collections-programs",
    ),
    path("collections/moratoriums/", collections_programs.moratoriums_page, name="collections-moratoriums"),
    path(
        "accounts/<str:number>/collections/arrangement/",
        collections_arrangements.arrangement_page,
        name="account-arrangement",
    ),
    path(
        "accounts/<str:number>/collections/arrangement/<int:arrangement_id>/cancel/",
        collections_arrangements.arrangement_cancel_view,
        name="account-arrangement-cancel",
    ),
    path(
        "accounts/<str:number>/collections/arrangement/<int:arrangement_id>/agreement.pdf",
        collections_arrangements.arrangement_pdf_view,
        name="account-arrangement-pdf",
    ),
]

# collection notices (issue 14)
urlpatterns += [
    path("collections/notices/", collections_notices.notice_runs_page, name="collections-notices"),
    path(
        "collections/notices/runs/<int:run_id>/",
        collections_notices.notice_run_page,
        name="collections-notice-run",
    ),
    path(
        "collections/notices/runs/<int:run_id>/print.pdf",
        collections_notices.notice_run_pdf,
        name="collections-notice-run-pdf",
    ),
    path(
        "collections/notices/<int:notice_id>/pdf/",
        collections_notices.notice_pdf,
        name="collections-notice-pdf",
    ),
]

# collections: closed accounts, write-offs, the SB 998 report and the written shutoff policy (issue 14)
urlpatterns += [
    path("collections/closed-unpaid/", collections_writeoffs.closed_unpaid, name="collections-closed-unpaid"),
    path(
        "collections/closed-unpaid/<str:number>/transfer/",
        collections_writeoffs.balance_transfer,
        name="collections-balance-transfer",
    ),
    path("collections/writeoffs/", collections_writeoffs.writeoff_batches, name="collections-writeoffs"),
    path(
        "collections/writeoffs/<int:batch_id>/",
        collections_writeoffs.writeoff_batch,
        name="collections-writeoff-batch",
    ),
    path(
        "collections/writeoffs/<int:batch_id>/<str:decision>/",
        collections_writeoffs.writeoff_decide,
        name="collections-writeoff-decide",
    ),
    path(
        "collections/writeoffs/<int:batch_id>/agency.csv",
        collections_writeoffs.agency_export,
        name="collections-agency-export",
    ),
    path(
        "collections/shutoff-report/",
        collections_writeoffs.shutoff_report_page,
        name="collections-shutoff-report",
    ),
    path(
        "collections/shutoff-policy/", collections_writeoffs.shutoff_policy, name="collections-shutoff-policy"
    ),
    path(
        "collections/shutoff-policy/<str:language>.pdf",
        collections_writeoffs.shutoff_policy_download,
        name="collections-shutoff-policy-pdf",
    ),
]

# collections: shutoff and reconnection (issue 14)
from civicbill.web.views import collections_shutoff  # noqa: E402

urlpatterns += [
    path("collections/shutoff/", collections_shutoff.shutoff_list_page, name="collections-shutoff-list"),
    path(
        "collections/accounts/<str:number>/shutoff/",
        collections_shutoff.account_shutoff,
        name="collections-account-shutoff",
    ),
]
