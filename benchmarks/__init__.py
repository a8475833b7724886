"""Benchmarks, run by ``make bench``: each module's ``run()`` returns a result dict.

Results go to ``benchmarks/results/<name>.json`` plus a table on stdout. Machines here are
shared and noisy, so benchmarks report ratios measured side by side in one run and medians
of several repetitions, never a single absolute time as a pass/fail gate.
"""
