"""moto's server (``moto.server``) with two of its per-request look-ups computed once (TEST INFRASTRUCTURE).

moto 5.2 redoes, on every request, work whose answer never changes while it runs: the dispatcher
lists moto's package directory and stats every entry (``moto.backends.list_of_moto_modules``) to
find the service of the request's host, and each response class is inspected for its method names
(``moto.core.utils.method_names_from_class``). Sampled in the test bed, the two were about a fifth
of moto's CPU time. This module keeps their first answers and then runs moto's own ``main``
unchanged, so what moto answers is the same; tests/contract/test_testbed_bed.py checks both.
"""

from __future__ import annotations

import functools
import sys

import moto.backends
import moto.core.responses
from moto.server import main


def memoize_lookups() -> None:
    """Replace the two look-ups with versions that compute their answer once."""
    if getattr(moto.backends.list_of_moto_modules, "memoized", False):
        return
    modules = tuple(moto.backends.list_of_moto_modules())

    def list_of_moto_modules():
        return modules

    list_of_moto_modules.memoized = True
    moto.backends.list_of_moto_modules = list_of_moto_modules
    # responses.py imported the function by name, so the name there is the one to replace.
    moto.core.responses.method_names_from_class = functools.lru_cache(maxsize=None)(
        moto.core.responses.method_names_from_class)


if __name__ == "__main__":
    memoize_lookups()
    main(sys.argv[1:])
