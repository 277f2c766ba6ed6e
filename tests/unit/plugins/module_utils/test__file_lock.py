# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import fcntl
import multiprocessing
import os
import stat
import threading
import time

import pytest

from ansible_collections.cloudops.kops.plugins.module_utils import _file_lock
from ansible_collections.cloudops.kops.plugins.module_utils._file_lock import (
    LockTimeout,
    atomic_write,
    file_lock,
    make_private_dirs,
)

FORK = multiprocessing.get_context('fork')


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


@pytest.fixture
def umask():
    """Set a umask for one test and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def can_lock(path):
    """Whether another open file description could take the lock now (without waiting)."""
    fd = os.open(str(path), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def leftovers(directory, keep):
    return sorted(set(os.listdir(str(directory))) - set(keep))


# -- make_private_dirs ----------------------------------------------------------


@pytest.mark.parametrize('mask', [0o022, 0o000, 0o277])
def test_every_created_parent_is_0700_whatever_the_umask(tmp_path, umask, mask):
    umask(mask)
    target = tmp_path / 'a' / 'b' / 'c'
    created = make_private_dirs(str(target))
    assert created == [str(tmp_path / 'a'), str(tmp_path / 'a' / 'b'), str(target)]
    for directory in created:
        assert mode(directory) == 0o700, directory


def test_existing_directories_are_never_chmodded(tmp_path, umask):
    outer = tmp_path / 'home'
    outer.mkdir()
    outer.chmod(0o751)
    created = make_private_dirs(str(outer / '.kube' / 'cache'))
    assert created == [str(outer / '.kube'), str(outer / '.kube' / 'cache')]
    assert mode(outer) == 0o751
    assert mode(outer / '.kube') == 0o700
    assert make_private_dirs(str(outer / '.kube' / 'cache')) == []


def test_a_directory_made_by_someone_else_meanwhile_is_left_alone(tmp_path, monkeypatch):
    real_mkdir = os.mkdir
    racer = tmp_path / 'a'

    def mkdir(path, mode=0o777):
        if path == str(racer) and not racer.exists():
            real_mkdir(path, 0o755)  # another process wins the race
            os.chmod(path, 0o755)
        return real_mkdir(path, mode)

    monkeypatch.setattr(_file_lock.os, 'mkdir', mkdir)
    created = make_private_dirs(str(racer / 'b'))
    assert created == [str(racer / 'b')]
    assert mode(racer) == 0o755
    assert mode(racer / 'b') == 0o700


def test_a_file_in_the_way_is_an_error(tmp_path):
    (tmp_path / 'a').write_text('x')
    with pytest.raises(NotADirectoryError):
        make_private_dirs(str(tmp_path / 'a' / 'b'))


# -- atomic_write -----------------------------------------------------------------


def test_new_file_is_0600_even_with_umask_0(tmp_path, umask):
    umask(0)
    target = tmp_path / 'config'
    atomic_write(str(target), b'new\n')
    assert target.read_bytes() == b'new\n'
    assert mode(target) == 0o600
    assert leftovers(tmp_path, ['config']) == []


def test_existing_mode_is_kept_unless_a_mode_is_given(tmp_path):
    target = tmp_path / 'config'
    target.write_bytes(b'old\n')
    target.chmod(0o640)
    atomic_write(str(target), b'new\n')
    assert (target.read_bytes(), mode(target)) == (b'new\n', 0o640)
    atomic_write(str(target), b'newer\n', mode=0o600)
    assert (target.read_bytes(), mode(target)) == (b'newer\n', 0o600)


def test_the_temporary_file_is_0600_while_written_and_synced_before_the_rename(tmp_path, umask, monkeypatch):
    umask(0)
    target = tmp_path / 'config'
    target.write_bytes(b'old\n')
    target.chmod(0o644)
    events = []
    real_write, real_fsync, real_replace = os.write, os.fsync, os.replace

    def write(fd, data):
        events.append(('write', stat.S_IMODE(os.fstat(fd).st_mode)))
        return real_write(fd, data)

    def fsync(fd):
        info = os.fstat(fd)
        events.append(('fsync', 'dir' if stat.S_ISDIR(info.st_mode) else 'file'))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(('replace', os.path.dirname(src) == str(tmp_path), mode(src)))
        return real_replace(src, dst)

    monkeypatch.setattr(_file_lock.os, 'write', write)
    monkeypatch.setattr(_file_lock.os, 'fsync', fsync)
    monkeypatch.setattr(_file_lock.os, 'replace', replace)
    atomic_write(str(target), b'secret\n')
    # 0600 while the secret is written; the old file's 0644 only once it is complete and synced
    assert events == [('write', 0o600), ('fsync', 'file'), ('replace', True, 0o644), ('fsync', 'dir')]
    assert target.read_bytes() == b'secret\n'


def test_a_failure_while_writing_leaves_the_old_file_whole_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / 'config'
    target.write_bytes(b'old contents\n')
    real_write = os.write

    def write(fd, data):
        real_write(fd, bytes(data[:3]))  # half of it reaches the temporary file, then the disk is full
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(_file_lock.os, 'write', write)
    with pytest.raises(OSError, match='No space left'):
        atomic_write(str(target), b'new contents\n')
    assert target.read_bytes() == b'old contents\n'
    assert leftovers(tmp_path, ['config']) == []


def test_a_failing_rename_removes_the_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / 'config'

    def replace(src, dst):
        raise PermissionError(13, 'Permission denied')

    monkeypatch.setattr(_file_lock.os, 'replace', replace)
    with pytest.raises(PermissionError):
        atomic_write(str(target), b'new\n')
    assert os.listdir(str(tmp_path)) == []


def test_the_owner_of_an_existing_file_is_kept(tmp_path, monkeypatch):
    target = tmp_path / 'config'
    target.write_bytes(b'old\n')
    info = os.stat(str(target))
    chowned = []
    monkeypatch.setattr(_file_lock.os, 'geteuid', lambda: info.st_uid + 1)  # as if another user (root) ran it
    monkeypatch.setattr(_file_lock.os, 'fchown', lambda fd, uid, gid: chowned.append((uid, gid)))
    atomic_write(str(target), b'new\n')
    assert chowned == [(info.st_uid, info.st_gid)]


# -- file_lock --------------------------------------------------------------------


def test_the_lock_file_is_0600_and_stays(tmp_path, umask):
    umask(0)
    lock = tmp_path / 'config.lock'
    with file_lock(str(lock)):
        assert not can_lock(lock)
    assert mode(lock) == 0o600
    assert can_lock(lock)


@pytest.mark.parametrize('error', [RuntimeError('boom'), SystemExit(1), KeyboardInterrupt()])
def test_the_lock_is_released_on_every_way_out(tmp_path, error):
    lock = tmp_path / 'config.lock'
    with pytest.raises(type(error)):
        with file_lock(str(lock)):
            assert not can_lock(lock)
            raise error
    assert can_lock(lock)


def _hold(path, ready, release):
    with file_lock(path):
        ready.set()
        release.wait(30)


def test_another_process_waits_and_times_out(tmp_path):
    lock = str(tmp_path / 'config.lock')
    ready, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold, args=(lock, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        started = time.monotonic()
        with pytest.raises(LockTimeout, match='for more than 0.3 seconds'):
            file_lock(lock, timeout=0.3, poll=0.01).acquire()
        assert time.monotonic() - started >= 0.3
        release.set()
        with file_lock(lock, timeout=30, poll=0.01):
            pass
    finally:
        release.set()
        holder.join(30)
    assert holder.exitcode == 0


def test_a_lock_file_removed_while_waiting_is_locked_again(tmp_path):
    lock = tmp_path / 'config.lock'
    first = file_lock(str(lock)).acquire()
    second = file_lock(str(lock), timeout=30, poll=0.01)
    waiter = threading.Thread(target=second.acquire)
    waiter.start()
    time.sleep(0.1)
    os.unlink(str(lock))  # someone "cleans up" the lock file while the second writer waits on it
    first.release()
    waiter.join(30)
    try:
        assert second.fd is not None
        # the second writer holds the file now at the path, so a third one cannot get in
        assert not can_lock(lock)
    finally:
        second.release()
    assert can_lock(lock)


def _append(path, line, start):
    start.wait(30)
    with file_lock(path + '.lock', timeout=60, poll=0.005):
        with open(path, 'rb') as handle:
            text = handle.read()
        time.sleep(0.01)  # widen the read-modify-write window
        atomic_write(path, text + line)


def test_parallel_read_modify_write_loses_nothing(tmp_path):
    path = str(tmp_path / 'data')
    with open(path, 'wb') as handle:
        handle.write(b'mine\n')
    start = FORK.Event()
    workers = [FORK.Process(target=_append, args=(path, b'w%d\n' % i, start)) for i in range(8)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0] * 8
    with open(path, 'rb') as handle:
        lines = handle.read().splitlines()
    assert lines[0] == b'mine'
    assert sorted(lines[1:]) == sorted(b'w%d' % i for i in range(8))
    assert leftovers(tmp_path, ['data', 'data.lock']) == []
