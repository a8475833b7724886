"""Target systems, each registered once: ``systems/<id>/system.yaml`` (URL, login user, the
secret's name, session limit, personal fields) and, where robots work in it, its page objects
as a Python package of the same folder. The folder is the id with ``_`` for ``-``, so that it
is importable: ``systems/business_system/`` holds system ``business-system``.
"""
