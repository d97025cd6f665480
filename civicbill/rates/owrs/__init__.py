"""Open Water Rate Specification (OWRS): read a file, evaluate it as RateParser does, store it.

- :mod:`.reader` reads the YAML (numbers exact, line numbers kept, one known indentation slip repaired);
- :mod:`.formula` evaluates ``bill: service_charge+commodity_charge`` safely (no ``eval``);
- :mod:`.calculator` applies a class's rate structure to one customer's determinants;
- :mod:`.convert` turns a file into a schedule version document.
"""

from civicbill.rates.owrs.calculator import OwrsCharge, OwrsError, calculate_class  # noqa: F401
