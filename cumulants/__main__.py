"""``python -m cumulants`` runs the ``cumulants`` command."""

import sys

from .cli import main

sys.exit(main())
