"""Entry point for ``python -m kops_standin`` and for the zipapp."""

import sys

from kops_standin.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
