"""``python -m cli``: the same as the ``jimu`` command."""

from cli._main import main

raise SystemExit(main())
