"""The simulation: households of one region month by month under the campaign's levers. Reads the
catalog and the scenario; knows nothing of runs.

- ``model.py``: :class:`PovertyModel` (a ``mesa.Model``): the clock, data collection, the assessment
  bookkeeping; it reads its parameters as typed sections (``model.p.after_exit.transition_years``,
  see ``parameters/typed.py``) and keeps the flat resolved values as ``model.params``.
- ``population.py``: the household table (struct of arrays) and the synthetic registry.
- ``dynamics.py``: what happens without any policy (ageing, schooling, incomes, shocks).
- ``assessment.py``: the annual relapse, exit and new-poor assessment.
- ``cost_sharing.py``: the medical cost-sharing chain; ``budget.py``: the spending ledger.
- ``village.py``: Mesa agents as views onto households and villages.
- ``policies/``: one module per lever, under the contract of ``policies/base.py`` (each lever
  declares its section, owned state, eligibility and shared reads and writes, is given a
  ``StepContext`` rather than the model, and pays only through the ledger); their order and every
  dependency between them are stated in ``policies/__init__.py``.
"""
