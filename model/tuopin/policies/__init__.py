"""Policy levers, one module each, applied in the order of ``LEVERS``."""

from ._stub_medical import MedicalHelp

LEVERS = (MedicalHelp,)
