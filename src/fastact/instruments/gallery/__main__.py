"""``python -m fastact.instruments.gallery --out DIR`` (the same as
``python -m fastact gallery``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
