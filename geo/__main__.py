"""``python -m geo`` — see :mod:`geo.cli`."""

import sys

from .cli import main

sys.exit(main())
