"""Policy levers, one module each, applied in the order of ``LEVERS`` every month and January."""

from .health import MedicalHelp
from .credit import Credit
from .dibao import Dibao
from .education import Education
from .employment import Employment
from .housing import Housing
from .industry import Industry
from .motivation import Motivation
from .pension import Pension
from .relocation import Relocation

# Order: entitlements that set this year's costs first, then programmes that raise income, then
# 兜底 (its top-up sees the rest), then behaviour.
LEVERS = (MedicalHelp, Education, Pension, Housing, Relocation, Industry, Employment, Credit, Dibao, Motivation)
