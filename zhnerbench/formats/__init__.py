"""Interchange formats of the gold: writers (export) and, where round-trips matter, readers."""
