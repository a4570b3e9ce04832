"""``python -m fastact.instruments.accuracy``: the accuracy tool's command line."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
