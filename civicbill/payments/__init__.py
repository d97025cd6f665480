"""Payments: cashiering, lockbox and ACH. ``nacha/`` is the pure NACHA file library (no Django)."""
