from django.contrib.auth import views as auth_views
from django.urls import include, path

from civicbill.web.views import (
    accounts,
    auth,
    billing,
    bills,
    counter,
    home,
    ledger,
    meter_actions,
    meters,
    rates,
    reads,
    staff,
    tasks,
)

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
    path("workorders/", include("civicbill.workorders.urls")),
    path("rates/", rates.schedules_list, name="rates-list"),
    path("rates/quote/", rates.quote, name="rates-quote"),
    path("rates/<str:code>/", rates.schedule_page, name="rates-schedule"),
    path("rates/<str:code>/versions/new/", rates.version_add, name="rates-version-add"),
    path("billing/runs/", billing.runs_list, name="billing-runs"),
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
    path("counter/receipts/<str:number>/", counter.receipt_page, name="counter-receipt"),
    path("counter/receipts/<str:number>/print/", counter.receipt_print, name="counter-receipt-print"),
    path("counter/receipts/<str:number>/pdf/", counter.receipt_pdf, name="counter-receipt-pdf"),
    path("counter/receipts/<str:number>/reprint/", counter.receipt_reprint, name="counter-receipt-reprint"),
    path("counter/receipts/<str:number>/void/", counter.receipt_void, name="counter-receipt-void"),
    path("counter/sessions/", counter.sessions_list, name="counter-sessions"),
    path("counter/sessions/<int:session_id>/", counter.session_page, name="counter-session"),
    path("counter/sessions/<int:session_id>/close/", counter.session_close, name="counter-session-close"),
    path(
        "counter/sessions/<int:session_id>/approve/", counter.session_approve, name="counter-session-approve"
    ),
    path("counter/day-close/", counter.day_close_page, name="counter-day"),
    path("counter/day-close/<str:day>/deposit-slip/", counter.deposit_slip, name="counter-deposit-slip"),
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
urlpatterns += [path("", include("civicbill.autopay.urls"))]
