"""``python -m benchmarks``: the command line of :mod:`benchmarks.registry`."""

import sys

from benchmarks.registry import main

sys.exit(main())
