from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "civicbill.collections"
    label = "collections"
    verbose_name = "Collections and delinquency"

    def ready(self) -> None:
        # check-books (ledger, a lower layer) runs the aging tie through its registry (ledger.books_checks)
        from civicbill.collections.aging import TIE_CHECK_NAME
        from civicbill.collections.aging_selectors import aging_books_check
        from civicbill.ledger import books_checks

        books_checks.register(TIE_CHECK_NAME, aging_books_check)
