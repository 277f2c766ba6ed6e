# -*- coding: utf-8 -*-
# Copyright (c) 2026 cloudops.kops contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this module_utils is internal to cloudops.kops and may change without notice.

"""Change a shared file safely while other processes may change it too.

Three pieces, used together for a read-merge-write cycle::

    make_private_dirs(os.path.dirname(path))
    with file_lock(path + '.lock'):
        text = read(path)               # re-read under the lock, never before it
        atomic_write(path, merge(text))

* ``file_lock``: an exclusive ``fcntl.flock`` on a lock file beside the data file. The lock
  file is never removed (removing a flock file lets two processes hold "the" lock on two
  different inodes); it is empty and mode 0600. The lock is released on every way out of the
  ``with`` block, including exceptions and ``SystemExit`` (``fail_json``/``exit_json``).
* ``atomic_write``: writes a temporary file in the same directory (mode 0600 before the first
  byte), fsyncs it, ``os.replace``s it onto the target and fsyncs the directory, so a reader
  sees either the whole old file or the whole new one, never a part.
* ``make_private_dirs``: creates the missing parents with an exact mode (0700 by default),
  whatever the umask; directories that already existed are never touched.
"""

from __future__ import annotations

import errno
import fcntl
import os
import tempfile
import time

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


class LockTimeout(OSError):
    """Another process held the lock for longer than the caller was willing to wait."""


def make_private_dirs(path, mode=PRIVATE_DIR_MODE):
    """Create ``path`` and its missing parents, each with exactly ``mode``.

    ``os.makedirs`` gives ``mode`` to the last directory only, and the umask applies to all of
    them. Here every directory this call creates gets ``mode`` (chmod after mkdir), and one
    that already exists, or that another process creates at the same moment, is left alone.
    Returns the directories created, outermost first.
    """
    path = os.path.abspath(path)
    missing = []
    current = path
    while not os.path.isdir(current):
        if os.path.lexists(current) and not os.path.islink(current):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), current)
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    created = []
    for directory in reversed(missing):
        try:
            os.mkdir(directory, mode)
        except FileExistsError:
            if os.path.isdir(directory):
                continue  # made by someone else meanwhile: not ours to chmod
            raise
        os.chmod(directory, mode)  # mkdir's mode is filtered by the umask
        created.append(directory)
    return created


class file_lock(object):
    """``with file_lock(path, timeout=60):`` holds an exclusive flock on ``path``.

    ``timeout`` is in seconds; ``None`` waits for ever. The file is created (mode 0600) when
    missing and left in place afterwards. If the lock file is removed or replaced while this
    process waits, the lock is taken again on the file now at ``path``, so two processes never
    believe they both hold it.
    """

    def __init__(self, path, timeout=None, poll=0.05):
        self.path = path
        self.timeout = timeout
        self.poll = poll
        self.fd = None

    def _open(self):
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, PRIVATE_FILE_MODE)

    def acquire(self):
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            fd = self._open()
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if deadline is not None and time.monotonic() >= deadline:
                            raise LockTimeout(errno.EWOULDBLOCK, 'another process has held the lock %s for more than '
                                                                 '%s seconds' % (self.path, self.timeout), self.path)
                        time.sleep(self.poll)
                held = os.fstat(fd)
                try:
                    current = os.stat(self.path, follow_symlinks=False)
                except FileNotFoundError:
                    current = None
            except BaseException:
                os.close(fd)
                raise
            if current is not None and (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino):
                self.fd = fd
                return self
            os.close(fd)  # the file we locked is no longer the lock file: lock the new one

    def release(self):
        fd, self.fd = self.fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, exc_type, exc_value, tb):
        self.release()
        return False


def _fsync_directory(directory):
    fd = os.open(directory, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path, data, mode=None):
    """Replace ``path`` with ``data`` (bytes) in one step.

    ``mode``: the mode of the result. ``None`` keeps the mode of an existing file and gives a
    new one 0600. The temporary file is 0600 from its creation until the data is on disk, so a
    secret is never readable by others on the way; only then does it get ``mode``. The owner
    and group of an existing file are kept when this process may set them (root, or the same
    owner); otherwise the new file belongs to this process. On any error the target is left as
    it was and the temporary file is removed.
    """
    directory = os.path.dirname(os.path.abspath(path))
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    if mode is None:
        mode = (old.st_mode & 0o7777) if old is not None else PRIVATE_FILE_MODE
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    try:
        try:
            os.fchmod(fd, PRIVATE_FILE_MODE)
            if old is not None and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.fchown(fd, old.st_uid, old.st_gid)
                except PermissionError:
                    pass
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)
