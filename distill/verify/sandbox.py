"""Run untrusted Python in a bubblewrap sandbox with hard limits, and always get a result back.

Isolation (bwrap): new user, pid, net, ipc, uts and cgroup namespaces (no network at all), only
the system and interpreter directories bound read-only, a fresh size-capped tmpfs at /tmp as the
only writable place, --die-with-parent and --new-session.
Limits: CPU seconds, address space (memory), file size and process count (rlimits), a wall-clock
timeout after which the whole process group is killed (and with it the pid namespace), and a cap
on the bytes of output read.

RLIMIT_NPROC counts processes per real user, and root is exempt from it. So when we run as root
the sandbox drops to an unprivileged uid (65534, "nobody") before starting bwrap, and the process
limit is set inside the sandbox, where the fresh user namespace counts only the sandbox's own
processes: a fork bomb hits the limit, the rest of the machine does not notice.

Fail closed: if bwrap is missing or cannot start, `Sandbox()` raises DistillError naming the fix.
`mode="none"` runs code without isolation (rlimits and timeout only); it is unsafe and must be
chosen explicitly.
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from distill.errors import DistillError

UNPRIVILEGED_UID = 65534
_STDERR_TAIL = 4000
# Runs inside the sandbox before the user's code and sets every limit there (not in a preexec_fn,
# which is unsafe when the caller has threads, as a training process does). The process limit
# must be set here anyway: only after the new user namespace exists does it count just the
# sandbox's own processes. The code cannot raise the limits again: bwrap drops all capabilities.
_LAUNCHER = (
    "import resource, runpy, sys\n"
    "nproc, cpu, memory, fsize = map(int, sys.argv[1:5])\n"
    "for limit, value in ((resource.RLIMIT_CPU, cpu), (resource.RLIMIT_AS, memory),\n"
    "                     (resource.RLIMIT_FSIZE, fsize), (resource.RLIMIT_CORE, 0), (resource.RLIMIT_NPROC, nproc)):\n"
    "    resource.setrlimit(limit, (value, value))\n"
    "sys.argv = ['main.py']\n"
    "runpy.run_path('/code/main.py', run_name='__main__')\n"
)


class SandboxUnavailable(DistillError):
    """No working sandbox: stops the whole run instead of marking rows, since no row can be checked."""


@dataclass(frozen=True)
class Limits:
    timeout: float = 5.0  # wall-clock seconds per run
    cpu_seconds: int = 5
    memory_mb: int = 512  # address space
    max_procs: int = 32  # processes and threads inside the sandbox
    max_output_bytes: int = 1_000_000
    tmpfs_mb: int = 64
    max_file_mb: int = 16


@dataclass(frozen=True)
class RunResult:
    status: str  # "ok", "runtime_error", "timeout", "memory", "output_limit", "sandbox_error"
    returncode: int | None
    stdout: bytes
    stderr: str  # the tail of stderr, for diagnosis


class Sandbox:
    def __init__(self, mode: str = "bwrap", limits: Limits | None = None, python: str | None = None):
        if mode not in ("bwrap", "none"):
            raise DistillError(f"sandbox {mode!r}: expected 'bwrap' or 'none' (unsafe: no isolation)")
        self.mode = mode
        self.limits = limits or Limits()
        self.drop_to = UNPRIVILEGED_UID if os.geteuid() == 0 and mode == "bwrap" else None
        self.python = python or _interpreter(world_readable=self.drop_to is not None)
        if mode == "bwrap":
            self._check_bwrap()

    def run_python(self, code: str, stdin: str) -> RunResult:
        with tempfile.TemporaryDirectory(prefix="distill-sandbox-") as scratch:
            code_dir = Path(scratch)
            os.chmod(code_dir, 0o755)  # the unprivileged sandbox user must read it
            (code_dir / "main.py").write_text(code, encoding="utf-8")
            (code_dir / "stdin.txt").write_text(stdin, encoding="utf-8")
            for name in ("main.py", "stdin.txt"):
                os.chmod(code_dir / name, 0o644)
            with open(code_dir / "stdin.txt", "rb") as stdin_file:
                return self._run(self._command(code_dir), stdin_file, cwd=code_dir)

    # -- building the command ------------------------------------------------------------------

    def _command(self, code_dir: Path) -> list[str]:
        limits = self.limits
        numbers = [limits.max_procs, limits.cpu_seconds, limits.memory_mb << 20, limits.max_file_mb << 20]
        if self.mode == "none":
            script = _LAUNCHER.replace("/code/main.py", str(code_dir / "main.py"))
            return [self.python, "-I", "-c", script, *map(str, numbers)]
        launcher = [self.python, "-I", "-c", _LAUNCHER, *map(str, numbers)]
        args = [
            self.bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
            "--setenv", "LANG", "C.UTF-8", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
            "--ro-bind", "/usr", "/usr",
        ]
        for link in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(link):
                args += ["--symlink", os.readlink(link), link]
            elif os.path.isdir(link):
                args += ["--ro-bind", link, link]
        prefix = str(Path(self.python).resolve().parent.parent)
        if not prefix.startswith("/usr"):
            args += ["--ro-bind", prefix, prefix]
        args += [
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(self.limits.tmpfs_mb << 20), "--tmpfs", "/tmp",
            "--ro-bind", str(code_dir), "/code", "--chdir", "/tmp",
        ]
        return args + launcher

    # -- running and reading -------------------------------------------------------------------

    def _run(self, command: list[str], stdin_file, cwd: Path) -> RunResult:
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"} if self.mode == "none" else None
        try:
            # Dropping root happens in the child before exec (see module doc); user=/group= do it
            # in C, without running Python between fork and exec.
            drop = {"user": self.drop_to, "group": self.drop_to, "extra_groups": []} if self.drop_to is not None else {}
            proc = subprocess.Popen(
                command, stdin=stdin_file, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                start_new_session=True, env=env, close_fds=True, cwd=cwd, **drop,
            )
        except OSError as exc:
            return RunResult("sandbox_error", None, b"", f"cannot start: {exc}")
        stdout, stderr, why = _read(proc, self.limits)
        if why:
            _kill_group(proc)
        returncode = proc.wait()
        return RunResult(_status(why, returncode, stderr), returncode, bytes(stdout), stderr.decode("utf-8", "replace"))

    def _check_bwrap(self) -> None:
        """Prove once per process that the sandbox starts, or fail loudly with the fix."""
        self.bwrap = shutil.which("bwrap")  # resolved once: later PATH changes do not matter
        if self.bwrap is None:
            raise SandboxUnavailable(
                "the code verifier runs code in a bubblewrap sandbox, but `bwrap` is not installed: "
                "apt-get install bubblewrap (or set sandbox='none' to run untrusted code UNSANDBOXED, unsafe)"
            )
        key = (self.python, self.drop_to)
        if key in _CHECKED:
            return
        result = self.run_python("print('ok')", "")
        if result.status != "ok" or result.stdout.strip() != b"ok":
            detail = result.stderr.strip().splitlines()[-1:] or [result.status]
            raise SandboxUnavailable(
                f"the bubblewrap sandbox does not start here ({detail[0]}); it needs unprivileged user "
                "namespaces (sysctl kernel.unprivileged_userns_clone=1, or user.max_user_namespaces > 0) "
                "and a world-readable python (/usr/bin/python3): apt-get install bubblewrap python3"
            )
        _CHECKED.add(key)


_CHECKED: set = set()


def _read(proc: subprocess.Popen, limits: Limits) -> tuple[bytearray, bytes, str | None]:
    """Read stdout (capped) and the tail of stderr until exit, timeout or too much output."""
    deadline = time.monotonic() + limits.timeout
    stdout, stderr = bytearray(), bytearray()
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ, stdout)
    selector.register(proc.stderr, selectors.EVENT_READ, stderr)
    why = None
    while selector.get_map():
        left = deadline - time.monotonic()
        if left <= 0:
            why = "timeout"
            break
        for key, _ in selector.select(timeout=min(left, 0.5)):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                selector.unregister(key.fileobj)
                continue
            key.data.extend(chunk)
            if key.data is stderr and len(stderr) > 2 * _STDERR_TAIL:
                del stderr[:-_STDERR_TAIL]
        if len(stdout) > limits.max_output_bytes:
            why = "output_limit"
            break
    selector.close()
    proc.stdout.close()
    proc.stderr.close()
    if why is None:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            why = "timeout"  # closed its output but kept running
    return stdout[: limits.max_output_bytes], bytes(stderr[-_STDERR_TAIL:]), why


def _kill_group(proc: subprocess.Popen) -> None:
    # bwrap leads the group; killing it takes its --die-with-parent pid namespace down with it.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _status(why: str | None, returncode: int, stderr: bytes) -> str:
    if why:
        return why
    if returncode == 0:
        return "ok"
    if b"MemoryError" in stderr or b"Cannot allocate memory" in stderr:
        return "memory"
    if returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGKILL):
        return "timeout"  # the CPU limit: SIGXCPU, then SIGKILL at the hard limit
    if stderr.startswith(b"bwrap:"):
        return "sandbox_error"
    return "runtime_error"


def _interpreter(world_readable: bool) -> str:
    """The python to run code with: ours, unless an unprivileged user could not read it."""
    ours = os.path.realpath(sys.executable)
    if not world_readable or _readable_by_others(ours):
        return ours
    system = shutil.which("python3", path="/usr/bin:/bin")
    if system and _readable_by_others(os.path.realpath(system)):
        return os.path.realpath(system)
    raise SandboxUnavailable(
        f"the code sandbox drops root to uid {UNPRIVILEGED_UID}, which cannot run {ours}: "
        "apt-get install python3 (a world-readable /usr/bin/python3), or run distill as a normal user"
    )


def _readable_by_others(path: str) -> bool:
    p = Path(path)
    if not p.is_file() or not p.stat().st_mode & 0o005 == 0o005:
        return False
    return all(parent.stat().st_mode & 0o001 for parent in p.parents)
