"""Rate schedules (effective-dated versions), the pure rating engine, and OWRS import."""
