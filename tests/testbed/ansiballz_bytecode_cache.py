"""Test-bed speed-up: keep the bytecode of Ansible's module payloads (TEST INFRASTRUCTURE, not shipped).

Ansible runs every module task as a new Python process that imports the module and its module_utils
from a zip file (AnsiballZ). Python cannot keep bytecode beside a zip, so each task compiles
``ansible.module_utils.basic`` and the rest from source again: about a tenth of a CPU-second per task,
and ``make test`` runs thousands. scripts/bootstrap-venv installs this file into the project's
virtualenv with a ``.pth`` line that imports it at start-up; it wraps the compile step of ``zipimport``
with a cache keyed by the source (and Python's bytecode magic number), so a payload member compiled
once is read back afterwards. The cached code is exactly what ``compile`` returns for that source; its
file names are set to the member being imported, so tracebacks name the payload as before. Anything
that goes wrong with the cache falls back to compiling.

``ANSIBALLZ_BYTECODE_CACHE`` chooses: unset, the venv's ``var/ansiballz-bytecode``; ``0``, off (the
benchmarks turn it off: a management server compiles every payload); anything else, that directory.
tests/contract/test_ansiballz_bytecode_cache.py checks it.
"""

# Every process of the venv imports this at start-up: only what Python has loaded already, the rest
# when a zip member is first compiled.
import os
import sys
import zipimport

VARIABLE = "ANSIBALLZ_BYTECODE_CACHE"


def cache_directory() -> str | None:
    setting = os.environ.get(VARIABLE, "")
    if setting == "0":
        return None
    return setting or os.path.join(sys.prefix, "var", "ansiballz-bytecode")


def _with_filename(code, filename: str):
    consts = tuple(_with_filename(const, filename) if isinstance(const, type(code)) else const
                   for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _store(path: str, code) -> None:
    import marshal  # pylint: disable=import-outside-toplevel
    import tempfile  # pylint: disable=import-outside-toplevel

    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".new-")
    try:
        with os.fdopen(handle, "wb") as stream:
            marshal.dump(code, stream)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)  # whole files only: parallel tasks may write the same entry
    except BaseException:
        os.unlink(temporary)
        raise


def caching(compile_source, directory: str):
    """``compile_source`` (zipimport's ``_compile_source(pathname, source)``), cached in ``directory``."""

    def compile_cached(pathname, source):
        import hashlib  # pylint: disable=import-outside-toplevel
        import marshal  # pylint: disable=import-outside-toplevel
        from importlib.util import MAGIC_NUMBER  # pylint: disable=import-outside-toplevel

        key = hashlib.sha256(MAGIC_NUMBER + source).hexdigest()
        path = os.path.join(directory, key[:2], key)
        try:
            with open(path, "rb") as stream:
                return _with_filename(marshal.load(stream), pathname)
        except (OSError, EOFError, ValueError, TypeError):
            pass
        code = compile_source(pathname, source)
        try:
            _store(path, code)
        except OSError:
            pass  # read-only or full: this task compiles, as it would without the cache
        return code

    compile_cached.uncached = compile_source
    return compile_cached


def install() -> None:
    directory = cache_directory()
    compile_source = getattr(zipimport, "_compile_source", None)
    if directory is None or compile_source is None or hasattr(compile_source, "uncached"):
        return
    zipimport._compile_source = caching(compile_source, directory)  # pylint: disable=protected-access


install()
