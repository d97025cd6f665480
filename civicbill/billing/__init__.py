"""Billing cycles, billing runs (trial, commit, resume), bills, bill documents, cancel/rebill."""
