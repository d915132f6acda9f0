"""Helpers shared by tests (not tests themselves): seed-excerpt parsers, AppTest downloads."""
