"""civicbill: utility billing and customer service for cities."""
