"""The collections context's writes (services), one module per area."""
