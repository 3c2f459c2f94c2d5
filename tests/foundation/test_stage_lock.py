"""One writer per output directory (distill.stage_lock): a second writer is refused in one line
naming the holder; a dead holder's lock is taken over; shared holders (generate parts) coexist."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from distill.errors import DistillError
from distill.stage_lock import LOCK_FILE, OutputLock

HOLD = textwrap.dedent("""
    import sys, time
    from distill.stage_lock import OutputLock
    lock = OutputLock(sys.argv[1], shared=sys.argv[2] == "shared").acquire()
    print("HELD", flush=True)
    time.sleep(60)
""")


def hold(out, mode="exclusive"):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(out), mode], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", os.getcwd())})
    assert proc.stdout.readline().strip() == "HELD"
    return proc


def stop(proc):
    proc.kill()
    proc.wait()


def test_a_second_writer_is_refused_and_told_who_holds_the_output(tmp_path):
    holder = hold(tmp_path)
    try:
        with pytest.raises(DistillError) as caught:
            OutputLock(tmp_path).acquire()
        message = str(caught.value)
        assert "\n" not in message and str(tmp_path) in message
        assert f"pid {holder.pid} on {socket.gethostname()}" in message and "-c" in message
    finally:
        stop(holder)


def test_the_lock_of_a_killed_process_is_taken_over(tmp_path):
    holder = hold(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with OutputLock(tmp_path):  # the kernel dropped the dead holder's flock: no stale lock to clean
        data = json.loads((tmp_path / LOCK_FILE).read_text())
        assert data["pid"] == os.getpid() and data["host"] == socket.gethostname() and data["started"]


def test_shared_holders_coexist_and_keep_an_exclusive_writer_out(tmp_path):
    part = hold(tmp_path, "shared")
    try:
        with OutputLock(tmp_path, shared=True):
            pass
        with pytest.raises(DistillError, match="the parts of a `distill generate --part i/N` run"):
            OutputLock(tmp_path).acquire()
    finally:
        stop(part)
    with OutputLock(tmp_path):
        pass


def test_a_lock_still_held_by_a_dead_parents_child_says_so(tmp_path):
    # The parent takes the lock, forks a child (which inherits it, as a worker pool's would), dies.
    script = textwrap.dedent("""
        import os, sys, time
        from distill.stage_lock import OutputLock
        OutputLock(sys.argv[1]).acquire()
        child = os.fork()
        if child == 0:
            time.sleep(60)
            os._exit(0)
        print("FORKED", child, flush=True)
        os._exit(0)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    word, child = proc.stdout.readline().split()
    assert word == "FORKED"
    proc.wait()
    try:
        with pytest.raises(DistillError, match="that process is gone but a child of it still holds the lock"):
            OutputLock(tmp_path).acquire()
    finally:
        os.kill(int(child), signal.SIGKILL)
