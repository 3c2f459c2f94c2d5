"""Run untrusted Python in a bubblewrap sandbox with hard limits, and always get a result back.

Isolation (bwrap): new user, pid, net, ipc, uts and cgroup namespaces (no network at all), no
nested user namespaces, no capabilities, only the system and interpreter directories bound
read-only, a read-only root and /dev (so /dev/shm cannot be written), a fresh size-capped tmpfs at
/tmp as the only writable place, --die-with-parent and --new-session. The program starts from an
empty environment, and so does bwrap itself (it is the sandbox's PID 1, whose /proc/1/environ the
program can read): no API key or token of the caller's environment gets in. A seccomp filter
(`seccomp.py`) refuses ptrace and the other calls that reach into another process, and kernel
keyrings; the launcher swaps the inherited session keyring for an empty one first.
The code and its stdin reach the sandbox through unlinked files (`--ro-bind-data`, O_TMPFILE):
a run leaves no name on the host's disk, even when its parent is killed.

Limits: CPU seconds, address space, file size, open files and process count (rlimits), one memory
limit for the whole run where a memory cgroup can be made (`memcap.py`: tmpfs pages and memfds
count too; otherwise memfd_create is refused and a line on stderr says which limits remain), a
wall-clock timeout after which the whole process group is killed (and with it the pid
namespace), and a cap on the bytes of output read.

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
from typing import Any

from distill.errors import DistillError
from distill.verify import memcap, seccomp

UNPRIVILEGED_UID = 65534
MAX_OPEN_FILES = 256
_STDERR_TAIL = 4000
_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
# Runs inside the sandbox before the user's code and sets every limit there (not in a preexec_fn,
# which is unsafe when the caller has threads, as a training process does). The process limit
# must be set here anyway: only after the new user namespace exists does it count just the
# sandbox's own processes. The code cannot raise the limits again: bwrap drops all capabilities.
# First it joins a fresh, empty session keyring, so the caller's keys are not within reach
# (the seccomp filter allows no other keyctl); a failure there is a failed start, not a risk.
_LAUNCHER = (
    "import ctypes, os, resource, runpy, sys\n"
    "keyctl, nproc, cpu, memory, fsize, nofile = map(int, sys.argv[1:7])\n"
    "if keyctl >= 0 and ctypes.CDLL(None, use_errno=True).syscall(keyctl, 1, None) < 0:\n"
    "    sys.exit('sandbox: cannot leave the session keyring: errno %d' % ctypes.get_errno())\n"
    "os.closerange(3, 4096)\n"
    "for limit, value in ((resource.RLIMIT_CPU, cpu), (resource.RLIMIT_AS, memory),\n"
    "                     (resource.RLIMIT_FSIZE, fsize), (resource.RLIMIT_CORE, 0),\n"
    "                     (resource.RLIMIT_NOFILE, nofile), (resource.RLIMIT_NPROC, nproc)):\n"
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
        self.keyctl = seccomp.keyctl_number()
        self.memory = _memory_layout() if mode == "bwrap" else None
        if self.memory is not None:
            memcap.sweep(self.memory)  # cgroups of runs whose owner was killed before cleaning up
        if mode == "bwrap":
            self._check_bwrap()

    @property
    def memory_cap(self) -> str:
        """How memory is bounded: 'cgroup v1'/'cgroup v2' (the whole run) or 'rlimit' (per process)."""
        return f"cgroup v{self.memory.version}" if self.memory else "rlimit"

    def run_python(self, code: str, stdin: str) -> RunResult:
        # Unlinked files (O_TMPFILE): nothing named on disk, even if this process is killed now.
        with tempfile.TemporaryFile() as code_file, tempfile.TemporaryFile() as stdin_file:
            code_file.write(code.encode("utf-8"))
            stdin_file.write(stdin.encode("utf-8"))
            code_file.seek(0)
            stdin_file.seek(0)
            if self.mode == "none":
                with tempfile.TemporaryDirectory(prefix="distill-sandbox-") as scratch:
                    main = Path(scratch) / "main.py"
                    main.write_text(code, encoding="utf-8")
                    return self._run(self._launcher(str(main)), stdin_file, cwd=scratch, env=_ENV)
            with tempfile.TemporaryFile() as filter_file:
                filter_file.write(self._filter())
                filter_file.seek(0)
                fds = (code_file.fileno(), filter_file.fileno())
                return self._run_bwrap(self._command(*fds), stdin_file, fds)

    # -- building the command ------------------------------------------------------------------

    def _launcher(self, main: str = "/code/main.py") -> list[str]:
        limits = self.limits
        numbers = [
            -1 if self.keyctl is None else self.keyctl,
            limits.max_procs,
            limits.cpu_seconds,
            limits.memory_mb << 20,
            limits.max_file_mb << 20,
            MAX_OPEN_FILES,
        ]
        return [self.python, "-I", "-c", _LAUNCHER.replace("/code/main.py", main), *map(str, numbers)]

    def _filter(self) -> bytes:
        program = seccomp.build(deny_memfd=self.memory is None)
        if program is None:
            raise SandboxUnavailable(
                f"the code sandbox has no seccomp filter for this architecture ({os.uname().machine}); "
                "it runs on x86_64 and aarch64 (or set sandbox='none' to run untrusted code UNSANDBOXED, unsafe)"
            )
        return program

    def _command(self, code_fd: int, filter_fd: int) -> list[str]:
        # bwrap's options are flag/value groups: one option per line (ruff format) would hide which is which
        # fmt: off
        args = [
            self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
            # --as-pid-1: no bwrap reaper inside; a process outside the seccomp filter that the
            # program could reach through /proc/1/mem (same uid) would be a way around it
            "--as-pid-1", "--die-with-parent", "--new-session", "--clearenv",
            *(arg for name, value in (*_ENV.items(), ("HOME", "/tmp"), ("PYTHONDONTWRITEBYTECODE", "1"))
              for arg in ("--setenv", name, value)),
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
            "--ro-bind-data", str(code_fd), "/code/main.py",
            # /dev (with /dev/shm in it) and / are tmpfs that bwrap made: read-only, so the capped
            # /tmp is the only place a file can be written
            "--remount-ro", "/dev", "--remount-ro", "/",
            "--seccomp", str(filter_fd), "--chdir", "/tmp",
        ]
        # fmt: on
        return args + self._launcher()

    # -- running and reading -------------------------------------------------------------------

    def _run_bwrap(self, command: list[str], stdin_file, fds: tuple[int, ...]) -> RunResult:
        if self.memory is None:
            return self._run(command, stdin_file, cwd="/", env=_ENV, pass_fds=fds)
        try:
            group = memcap.RunCgroup.create(self.memory, self.limits.memory_mb << 20, uid=self.drop_to)
        except OSError as exc:
            return RunResult("sandbox_error", None, b"", f"cannot make the run's memory cgroup: {exc}")
        try:
            # the shell moves itself into the cgroup, then becomes bwrap: every process is born inside
            wrapped = [_SH, "-c", memcap.JOIN, group.procs_file, *command]
            result = self._run(wrapped, stdin_file, cwd="/", env=_ENV, pass_fds=fds)
            if result.status not in ("ok", "output_limit") and group.oom_killed():
                result = RunResult("memory", result.returncode, result.stdout, result.stderr)
            return result
        finally:
            group.remove()

    def _run(self, command: list[str], stdin_file, cwd: str, env: dict, pass_fds: tuple[int, ...] = ()) -> RunResult:
        try:
            # Dropping root happens in the child before exec (see module doc); user=/group= do it
            # in C, without running Python between fork and exec.
            drop: dict[str, Any] = (
                {"user": self.drop_to, "group": self.drop_to, "extra_groups": []} if self.drop_to is not None else {}
            )
            proc = subprocess.Popen(
                command,
                stdin=stdin_file,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                env=env,
                close_fds=True,
                pass_fds=pass_fds,
                cwd=cwd,
                **drop,
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
        bwrap = shutil.which("bwrap")  # resolved once: later PATH changes do not matter
        if bwrap is None:
            raise SandboxUnavailable(
                "the code verifier runs code in a bubblewrap sandbox, but `bwrap` is not installed: "
                "apt-get install bubblewrap (or set sandbox='none' to run untrusted code UNSANDBOXED, unsafe)"
            )
        self.bwrap = bwrap
        self._filter()  # fails closed on an architecture without a filter
        key = (self.python, self.drop_to, self.memory)
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


_SH = shutil.which("sh", path="/usr/bin:/bin") or "/bin/sh"
_LAYOUT: list = []  # [memcap.Layout | None] once found


def _memory_layout() -> memcap.Layout | None:
    """Find (once per process) where a memory cgroup can be made; say plainly when none can."""
    if not _LAYOUT:
        layout = memcap.detect()
        _LAYOUT.append(layout)
        if layout is None:
            print(
                "distill: code sandbox: no writable memory cgroup here (cgroup v2 with the memory "
                "controller delegated, or cgroup v1 memory); memory is bounded per process only "
                "(RLIMIT_AS), /tmp is a size-capped tmpfs, / and /dev are read-only and memfd_create "
                "is refused; memory held in kernel buffers (pipes, sockets) is not counted",
                file=sys.stderr,
            )
    return _LAYOUT[0]


_CHECKED: set = set()


def _read(proc: subprocess.Popen, limits: Limits) -> tuple[bytearray, bytes, str | None]:
    """Read stdout (capped) and the tail of stderr until exit, timeout or too much output."""
    deadline = time.monotonic() + limits.timeout
    stdout, stderr = bytearray(), bytearray()
    assert proc.stdout is not None and proc.stderr is not None  # both are pipes (Sandbox._run)
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
