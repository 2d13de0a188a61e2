"""Numbers as adcli writes them (the functions live in :mod:`adcli.numtext`,
below every layer that prints a number)."""

from ..numtext import json_number, plain_number

__all__ = ["json_number", "plain_number"]
