"""Budget planning: split a yearly budget over the policy levers to do the most good.

A *split* is a yearly cap (yuan) for each lever, summing to the budget; the model's ledger enforces
it (past a cap whole households are paid poorest first, the rest is shortfall). Every split is run
on the same replicate seeds (common random numbers), so two splits differ by what the money does,
not by luck. The optimiser is scipy's differential evolution (a fixed seed, no gradient polish) on
a box that maps onto the constrained simplex (:func:`.split.split_from_x`); each generation's
candidates x replicates are one batch for the runner, returned in order, so 1 or 2 workers give
the same numbers. The best split is then re-run with seed allocation and uniform split on fresh
seeds (confirmation replicates), because a best-of-many chosen on R seeds flatters itself on those
seeds. The same split holds every year (the scenarios do not carry per-year budgets).

Parts, by job: :mod:`.constraints` (the constraints file and the box it allows), :mod:`.split`
(box points to splits), :mod:`.evaluate` (splits on common seeds, via the runner), :mod:`.search`
(the optimiser), :mod:`.plan` (the whole planning run). The report and figures are in
:mod:`tuopin.outputs.optimize`.
"""
