"""``python -m verify.cli``: the ``kramers`` command."""

import sys

from . import main

sys.exit(main())
