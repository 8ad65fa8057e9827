"""The simulation: one region's households as columnar numpy state, month by month.

``model.PovertyModel`` (a ``mesa.Model``) runs the clock; ``population`` builds the households,
``dynamics`` turns the year and the month, ``assessment`` applies the exit, relapse and new-poor rules,
``cost_sharing`` the medical chain, ``budget`` the spending ledger, ``village`` the Mesa agents, and
``policies/`` holds one module per lever. Reads the catalog and the scenario; knows nothing of runs.
"""
