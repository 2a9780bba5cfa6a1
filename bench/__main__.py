"""Entry point: `python -m bench [--quick] [--out PATH]`."""

import sys

from .run import main

sys.exit(main())
