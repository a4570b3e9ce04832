"""``python -m fastact.instruments.accuracy``: the accuracy tool's command line."""

import sys

from .cli import main

sys.exit(main())
