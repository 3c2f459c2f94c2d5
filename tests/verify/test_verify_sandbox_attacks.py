"""Attacks from inside the code sandbox: each ends in a verdict, reads and holds nothing outside,
leaves nothing behind (files, processes, memory cgroups), and the next row is checked as usual.

The programs run as `code` answers through `verify`, the way teacher-generated code does.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from distill.verify import memcap, seccomp
from distill.verify import sandbox as sandbox_module
from distill.verify import verify
from distill.verify.sandbox import Limits, Sandbox, SandboxUnavailable

pytestmark = pytest.mark.timeout(120)
ADD = [{"input": "1 2\n", "output": "3\n"}]
REPO = Path(__file__).resolve().parents[2]


def solution(code: str) -> str:
    return f"<think>Let me try.</think>\n\n```python\n{textwrap.dedent(code)}\n```\n"


def run(code: str, expect: str = "", **options):
    options.setdefault("timeout", 5.0)
    return verify(solution(code), "", "code", tests=[{"input": "", "output": expect}], **options)


def _descendants() -> set[int]:
    """Live (non-zombie) processes below this test process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = set(), list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def _our_run_cgroups() -> list[Path]:
    layout = memcap.detect()
    if layout is None:
        return []
    return list(layout.parent.glob(f"{memcap.PREFIX}{os.getpid()}-*"))


@pytest.fixture
def scratch():
    """A temp dir of the test's own, that the sandbox user could read (as /tmp is)."""
    path = Path(tempfile.mkdtemp(prefix="distill-test-tmp-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def box(bwrap_sandbox, scratch, monkeypatch):
    """The sandbox, with a private temp dir; afterwards: no file, process or cgroup of a run left,
    and the next ordinary row still gets its verdict."""
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    before = _descendants()
    yield bwrap_sandbox
    time.sleep(0.2)
    assert _descendants() - before == set()
    assert list(scratch.iterdir()) == []
    assert _our_run_cgroups() == []
    assert verify(solution("a, b = map(int, input().split())\nprint(a + b)"), "", "code", tests=ADD).reason == "correct"


@pytest.fixture
def no_cgroup(monkeypatch):
    """The fallback where no memory cgroup can be made (as on many machines)."""
    from distill.verify import code

    monkeypatch.setattr(sandbox_module, "_memory_layout", lambda: None)
    code._sandbox.cache_clear()  # verify() keeps its sandboxes: make a fallback one
    yield
    code._sandbox.cache_clear()


def test_the_callers_secrets_are_not_in_the_sandbox(box, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-distill-test-secret")
    monkeypatch.setenv("HF_TOKEN", "hf_distilltestsecret")
    code = """
        import glob, os
        seen = str(dict(os.environ))
        for path in glob.glob('/proc/*/environ') + glob.glob('/proc/*/task/*/environ'):
            try:
                seen += open(path, 'rb').read().decode('latin-1')
            except OSError:
                pass
        print('leaked' if 'distill-test-secret' in seen or 'distilltestsecret' in seen else 'clean')
    """
    assert run(code, "clean").reason == "correct"
    assert os.environ["OPENAI_API_KEY"] == "sk-distill-test-secret"  # the caller keeps its own


def test_dev_shm_root_and_dev_cannot_hold_files(box):
    # /dev/shm used to be an uncapped tmpfs: 200 MB went in past the 64 MB scratch cap
    code = """
        chunk = b'x' * (1 << 20)
        with open('/dev/shm/hog', 'wb') as f:
            for _ in range(200):
                f.write(chunk)
        print('held 200 MB')
    """
    assert run(code, "held 200 MB", memory_mb=128).reason == "runtime_error"
    for path in ("/hog", "/dev/hog", "/code/hog"):
        assert run(f"open({path!r}, 'w').write('x')\nprint('wrote')", "wrote").reason == "runtime_error"


MEMFD_BOMB = """
    import os
    held = 0
    while held < 300:
        fd = os.memfd_create('hog')
        for _ in range(8):
            os.write(fd, b'x' * (1 << 20))
            held += 1
        print(held, flush=True)
    print('held 300 MB')
"""


def test_memfds_count_against_the_sandbox_memory(box):
    # memfd pages are mapped by no one: RLIMIT_AS (128 MB here) let 1 GB of them through
    cgroup = getattr(box, "memory_cap", "rlimit") != "rlimit"
    assert run(MEMFD_BOMB, "held 300 MB", memory_mb=128).reason == ("memory" if cgroup else "runtime_error")
    if cgroup:
        result = Sandbox("bwrap", Limits(memory_mb=128, timeout=5)).run_python(textwrap.dedent(MEMFD_BOMB), "")
        assert result.status == "memory"
        assert int(result.stdout.split()[-1]) <= 128  # the whole run, not one process, hit the limit


def test_without_a_cgroup_memfds_are_refused(box, no_cgroup):
    assert Sandbox("bwrap", Limits()).memory_cap == "rlimit"
    assert run(MEMFD_BOMB, "held 300 MB", memory_mb=128).reason == "runtime_error"


def test_a_full_tmp_is_capped_at_its_size(box):
    code = """
        held = 0
        try:
            for n in range(20):
                with open(f'/tmp/hog{n}', 'wb') as f:
                    for _ in range(8):
                        f.write(b'x' * (1 << 20))
                        held += 1
        except OSError:
            pass
        print(held <= 64)
    """
    assert run(code, "True").reason == "correct"


def test_ptrace_and_reading_other_processes_are_refused(box):
    code = """
        import ctypes, os, time
        libc = ctypes.CDLL(None, use_errno=True)
        PTRACE_SEIZE = 0x4206
        child = os.fork()
        if child == 0:
            time.sleep(5)
            os._exit(0)
        results = []
        for pid in (1, child, os.getppid()):
            results.append(libc.ptrace(PTRACE_SEIZE, pid, 0, 0) == -1 and ctypes.get_errno() == 1)
        os.kill(child, 9)
        print('refused' if all(results) else 'attached')
    """
    assert run(code, "refused").reason == "correct"


def test_every_process_in_the_sandbox_is_under_the_filter(box):
    # a process outside it (bwrap's reaper as PID 1, writable through /proc/1/mem) would undo it
    code = """
        import glob, os
        child = os.fork()
        if child == 0:
            import time; time.sleep(3); os._exit(0)
        states = [line.split()[1] for path in glob.glob('/proc/[0-9]*/status')
                  for line in open(path) if line.startswith('Seccomp:')]
        os.kill(child, 9)
        print(len(states) >= 2 and set(states) == {'2'})
    """
    assert run(code, "True").reason == "correct"


KEYRING_CHECK = """
import ctypes, os, sys, textwrap
sys.path.insert(0, sys.argv[1])
from distill.verify import seccomp
from distill.verify.sandbox import Sandbox, Limits
libc = ctypes.CDLL(None, use_errno=True)
keyctl, add_key = seccomp.keyctl_number(), {"x86_64": 248, "aarch64": 217}[os.uname().machine]
assert libc.syscall(keyctl, 1, None) > 0  # a session keyring of this process alone
key = libc.syscall(add_key, b"user", b"distill-i19-key", b"s3cret-payload", 14, -3)  # -3: the session keyring
assert key > 0, ctypes.get_errno()
buf = ctypes.create_string_buffer(64)
assert libc.syscall(keyctl, 11, key, buf, 64) == 14  # KEYCTL_READ: we can read our own key
probe = textwrap.dedent('''
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    key = int(input())
    buf = ctypes.create_string_buffer(64)
    found = []
    for op, args in ((11, (key, buf, 64)), (6, (key, buf, 64))):  # KEYCTL_READ, KEYCTL_DESCRIBE
        if libc.syscall(%d, op, *args) >= 0:
            found.append(buf.value.decode('latin-1'))
    try:
        found.append(open('/proc/keys').read())
    except OSError:
        pass
    print('leaked' if any('distill-i19' in f or 's3cret' in f for f in found) else 'clean')
''' % keyctl)
result = Sandbox(limits=Limits(timeout=5)).run_python(probe, str(key))
print(result.status, result.stdout.decode().strip(), result.stderr[-300:].replace(chr(10), ' '))
"""


def test_the_callers_session_keyring_is_out_of_reach(box):
    if seccomp.keyctl_number() is None:
        pytest.skip("no seccomp table for this architecture")
    # A child process with a session keyring of its own (the test's own keyring is left alone).
    out = subprocess.run([sys.executable, "-c", KEYRING_CHECK, str(REPO)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[:2] == ["ok", "clean"], out.stdout


def test_the_filter_is_refused_where_no_table_exists(monkeypatch, bwrap_sandbox):
    assert seccomp.build(deny_memfd=False, machine="ppc64le") is None
    assert len(seccomp.build(deny_memfd=True, machine="aarch64")) % 8 == 0
    monkeypatch.setattr(seccomp.platform, "machine", lambda: "riscv64")
    with pytest.raises(SandboxUnavailable, match="no seccomp filter for this architecture"):
        Sandbox("bwrap", Limits(timeout=3))


def test_without_a_cgroup_the_fallback_is_said_on_stderr(monkeypatch, capsys):
    monkeypatch.setattr(memcap, "detect", lambda: None)
    monkeypatch.setattr(sandbox_module, "_LAYOUT", [])
    assert sandbox_module._memory_layout() is None
    assert "no writable memory cgroup here" in capsys.readouterr().err


def test_cgroups_of_a_killed_owner_are_swept(box):
    layout = memcap.detect()
    if layout is None:
        pytest.skip("no memory cgroup can be made here")
    dead = subprocess.Popen(["sleep", "0"])
    dead.wait()
    stale = layout.parent / f"{memcap.PREFIX}{dead.pid}-1-0"
    stale.mkdir()
    try:
        Sandbox("bwrap", Limits(timeout=3))
        assert not stale.exists()
    finally:
        if stale.exists():
            stale.rmdir()


def test_cgroups_of_a_live_owner_are_left_alone(box):
    layout = memcap.detect()
    if layout is None:
        pytest.skip("no memory cgroup can be made here")
    alive = layout.parent / f"{memcap.PREFIX}{memcap.owner_tag()}-999999"
    alive.mkdir()
    try:
        memcap.sweep(layout)
        assert alive.exists()
    finally:
        alive.rmdir()


def _rows(path: Path, count: int) -> None:
    import json

    code = "import time\ntime.sleep(1)\nprint(3)"
    row = {"completion": f"<think>x</think>\n```python\n{code}\n```", "domain": "code", "tests": [{"input": "", "output": "3"}]}
    path.write_text("".join(json.dumps(row) + "\n" for _ in range(count)))


def test_sigkill_of_verify_ends_its_workers_and_sandboxes(bwrap_sandbox, tmp_path, scratch):
    rows = tmp_path / "rows.jsonl"
    _rows(rows, 200)
    env = dict(os.environ, TMPDIR=str(scratch), PYTHONPATH=str(REPO))
    parent = subprocess.Popen(
        [sys.executable, "-m", "distill", "verify", str(rows), "--workers", "2", "--timeout", "5"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _sandboxes_below(parent.pid):
            time.sleep(0.1)
        assert _sandboxes_below(parent.pid), "no sandbox started"
        workers = _below(parent.pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        assert [pid for pid in workers if _alive(pid)] == []  # workers and sandboxes are gone
        assert list(scratch.iterdir()) == []  # no scratch directory (or file) left behind
        assert not (tmp_path / "rows.verified.jsonl").exists()  # nothing half-written marked done
        layout = memcap.detect()
        if layout is not None:  # the killed workers' run cgroups go with the next sandbox made
            Sandbox("bwrap", Limits(timeout=3))
            assert [p for pid in workers for p in layout.parent.glob(f"{memcap.PREFIX}{pid}-*")] == []
    finally:
        if parent.poll() is None:
            parent.kill()


def _below(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(entry))
    found, todo = set(), list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def _sandboxes_below(root: int) -> bool:
    for pid in _below(root):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "bwrap":
                return True
        except OSError:
            pass
    return False


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"
