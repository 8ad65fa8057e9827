"""What the runs mean: forecast tables, comparisons, relapse survival and the at-risk list,
calibration and backtest, sensitivity analysis and budget optimisation.

Computes and returns data; writing folders, figures and reports is ``outputs``'s job.
"""
