"""Numbers as adcli writes them (the functions live in :mod:`adcli.numtext`,
below every layer that prints a number), and the plain format's ASCII
notation for the words around them."""

from ..numtext import json_number, plain_ascii, plain_number

__all__ = ["json_number", "plain_number", "plain_ascii"]
