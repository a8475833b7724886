"""Prefect flows (one module per business process) and the ``jimu`` command line.

Only ``flows`` imports Prefect; robots and OCR stay plain Python.
"""
