"""Reporters: the only code that prints. Outcomes come in as values."""
