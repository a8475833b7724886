"""The orchestration side: Prefect deployments, office-day schedules, the inbox trigger,
session limits per target system, retry policy and Prefect's local mode.

With ``flows/`` (the flows themselves), the only code that imports Prefect. Modules import
Prefect only when called, so the command line stays fast.
"""
