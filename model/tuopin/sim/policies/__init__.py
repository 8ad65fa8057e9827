"""Policy levers, one module each, and the one place that fixes their order.

The model calls the levers' hooks in the order of ``LEVERS`` (January, every month, the
assessment month) and seeds each lever's random stream from the model's generator in this same
order, so reordering changes every stream: outputs would differ. Why this order (``AFTER`` states
each dependency as data, and the tests check the order against it):

- entitlements that set this year's costs come first: medical (insurance enrolment), education
  (school costs), pension (premiums);
- housing before relocation: relocation picks households still in dangerous houses first, so it
  must see this year's renovations;
- programmes that raise income next: relocation, industry, employment, credit, work relief (以工代赈);
- 低保 after every lever that raises a household's expected income (relocation's job and farm
  loss, employment's training and placement, work relief's wages): it tops up to its line what the
  others leave;
- motivation last: its assessment reads the benefits every other lever paid this year.

Under a total budget cap the order is also the order of payment: earlier levers are paid first.
"""

from .base import Policy, SharedState, StepContext, VillageArrays
from .credit import Credit
from .dibao import Dibao
from .education import Education
from .employment import Employment
from .housing import Housing
from .industry import Industry
from .medical import MedicalHelp
from .motivation import Motivation
from .pension import Pension
from .relocation import Relocation
from .work_relief import WorkRelief

LEVERS: tuple[type[Policy], ...] = (MedicalHelp, Education, Pension, Housing, Relocation, Industry, Employment,
                                    Credit, WorkRelief, Dibao, Motivation)
ORDER: tuple[str, ...] = tuple(cls.lever for cls in LEVERS)

# lever -> the levers whose effects it must see (so they come earlier in LEVERS)
AFTER: dict[str, tuple[str, ...]] = {
    "relocation": ("housing",),                  # picks unsafe houses first: after this year's renovations
    "dibao": ("relocation", "employment", "work_relief"),       # tops up expected income: after the levers that change it
    "motivation": ("medical", "education", "pension", "housing", "relocation", "industry", "employment",
                   "credit", "work_relief", "dibao"),           # reads the year's benefits of every other lever
}

__all__ = ["AFTER", "LEVERS", "ORDER", "Policy", "SharedState", "StepContext", "VillageArrays"]
