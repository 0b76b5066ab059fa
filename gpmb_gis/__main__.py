"""``python -m gpmb_gis``: the ``gpmb`` command."""

from gpmb_gis.cli import main

raise SystemExit(main())
