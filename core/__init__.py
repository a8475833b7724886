"""jimu's core: settings, the error tree, logging, Japanese data helpers and shared models.

``core`` imports nothing else of jimu's.
"""
