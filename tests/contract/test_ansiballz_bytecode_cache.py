"""The test bed's bytecode cache for module payloads (tests/testbed/ansiballz_bytecode_cache.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
import zipfile
import zipimport

import ansiballz_bytecode_cache

SOURCE = b'''"""A payload member."""


def boom():
    def inner():
        raise RuntimeError("from the payload")
    inner()


ANSWER = 42
'''


def _payload(directory, source=SOURCE):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "payload.zip")
    with zipfile.ZipFile(path, "w") as payload:
        payload.writestr("pkg/__init__.py", b"")
        payload.writestr("pkg/member.py", source)
    return path


def _counting_cache(monkeypatch, directory):
    compiled = []

    def compile_source(pathname, source):
        compiled.append(pathname)
        return compile(source, pathname, "exec", dont_inherit=True)

    monkeypatch.setattr(zipimport, "_compile_source", ansiballz_bytecode_cache.caching(compile_source, directory))
    return compiled


def _member_code(payload):
    # What an import of pkg.member from the payload compiles (the importer of the package's directory).
    return zipimport.zipimporter(os.path.join(payload, "pkg")).get_code("pkg.member")


def _run(code):
    namespace = {}
    exec(code, namespace)  # pylint: disable=exec-used
    return namespace


def test_a_member_is_compiled_once_and_read_back_under_its_own_file_name(tmp_path, monkeypatch):
    compiled = _counting_cache(monkeypatch, str(tmp_path / "cache"))
    first = _payload(str(tmp_path / "task-1"))
    second = _payload(str(tmp_path / "task-2"))  # the next task: the same payload in another directory

    _run(_member_code(first))
    code = _member_code(second)

    assert compiled == [os.path.join(first, "pkg", "member.py")]
    namespace = _run(code)
    assert namespace["ANSWER"] == 42
    try:
        namespace["boom"]()
    except RuntimeError:
        frames = traceback.extract_tb(sys.exc_info()[2])[1:]
    # The nested functions name the second payload, with the source's line numbers.
    assert [(frame.filename, frame.name, frame.lineno) for frame in frames] == [
        (os.path.join(second, "pkg", "member.py"), "boom", 7),
        (os.path.join(second, "pkg", "member.py"), "inner", 6),
    ]


def test_a_changed_member_is_compiled_again(tmp_path, monkeypatch):
    compiled = _counting_cache(monkeypatch, str(tmp_path / "cache"))
    _run(_member_code(_payload(str(tmp_path / "old"))))
    changed = _payload(str(tmp_path / "new"), SOURCE.replace(b"ANSWER = 42", b"ANSWER = 43"))

    assert _run(_member_code(changed))["ANSWER"] == 43
    assert len(compiled) == 2


def test_a_broken_or_unwritable_cache_only_costs_a_compile(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    compiled = _counting_cache(monkeypatch, str(blocked))
    payload = _payload(str(tmp_path / "task"))
    assert _run(_member_code(payload))["ANSWER"] == 42

    cache = tmp_path / "cache"
    compiled = _counting_cache(monkeypatch, str(cache))
    _run(_member_code(payload))
    (entry,) = [path for path in cache.rglob("*") if path.is_file()]
    entry.write_bytes(b"\x00 truncated")
    assert _run(_member_code(payload))["ANSWER"] == 42
    assert len(compiled) == 2
    assert entry.read_bytes() != b"\x00 truncated"  # the bad entry was written again


def _venv_python(code, setting):
    env = {name: value for name, value in os.environ.items() if name != ansiballz_bytecode_cache.VARIABLE}
    if setting is not None:
        env[ansiballz_bytecode_cache.VARIABLE] = setting
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.split()


def test_the_venv_installs_it_at_start_up_and_0_turns_it_off(tmp_path):
    probe = ("import sys, zipimport\n"
             "mod = sys.modules.get('ansiballz_bytecode_cache')\n"
             "print(hasattr(zipimport._compile_source, 'uncached'), mod and mod.cache_directory())")
    assert _venv_python(probe, None) == ["True", os.path.join(sys.prefix, "var", "ansiballz-bytecode")]
    assert _venv_python(probe, str(tmp_path)) == ["True", str(tmp_path)]
    assert _venv_python(probe, "0") == ["False", "None"]


def test_ansible_module_payloads_go_through_it(tmp_path):
    cache = tmp_path / "cache"
    env = dict(os.environ, ANSIBLE_LOCAL_TEMP=str(tmp_path / "local"), ANSIBLE_REMOTE_TMP=str(tmp_path / "remote"),
               **{ansiballz_bytecode_cache.VARIABLE: str(cache)})
    command = [os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-m", "ansible.builtin.ping",
               "-e", f"ansible_python_interpreter={sys.executable}"]
    runs = []
    for _attempt in range(2):
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
        assert '"ping": "pong"' in out
        runs.append(sorted(path.name for path in cache.rglob("*") if path.is_file()))
    assert len(runs[0]) > 20  # the module and the module_utils it imports
    assert runs[1] == runs[0]  # the second run read them back: nothing new was compiled
