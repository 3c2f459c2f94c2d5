"""A seccomp filter for the code sandbox: the system calls that reach outside it fail with EPERM.

bubblewrap loads it (`--seccomp FD`) just before it starts the sandboxed program, so it binds the
program and all its children, and cannot be lifted (bwrap sets no_new_privs). Denied:

- ptrace, process_vm_readv/writev, kcmp, pidfd_getfd: no reading or steering another process
  (the sandbox's PID 1 included) through its memory or its file descriptors.
- add_key, request_key, keyctl: no access to kernel keyrings. The one keyctl allowed is
  KEYCTL_JOIN_SESSION_KEYRING, which the launcher calls to swap the inherited session keyring for
  a fresh, empty one; the program can only ever reach that empty keyring.
- bpf, perf_event_open, userfaultfd, io_uring_*: large kernel attack surface no solution needs.
- memfd_create and memfd_secret when asked (`deny_memfd`): without a memory cgroup, memory held
  in a memfd is counted by no limit (RLIMIT_AS counts only what is mapped).

The filter is built by hand as classic BPF (no libseccomp needed), for x86_64 and aarch64; on any
other architecture `build()` returns None and the sandbox refuses to start (fail closed). System
calls of a foreign ABI (i386 or x32 on x86_64) kill the process, since their numbers differ.
"""

from __future__ import annotations

import errno
import platform
import struct

# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
_NR, _ARCH, _ARG0 = 0, 4, 16
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ALLOW, _KILL_PROCESS, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
KEYCTL_JOIN_SESSION_KEYRING = 1
_X32_BIT = 0x40000000

# name -> (x86_64, aarch64) system call numbers
_DENIED = {
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "kcmp": (312, 272),
    "pidfd_getfd": (438, 438),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
}
_MEMFD = {"memfd_create": (319, 279), "memfd_secret": (447, 447)}
_KEYCTL = (250, 219)
_ARCHES = {"x86_64": (0xC000003E, 0), "aarch64": (0xC00000B7, 1), "arm64": (0xC00000B7, 1)}


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def build(deny_memfd: bool, machine: str | None = None) -> bytes | None:
    """The compiled filter (struct sock_filter[]), or None on an architecture we have no table for."""
    arch = _ARCHES.get(machine or platform.machine())
    if arch is None:
        return None
    audit_arch, column = arch
    denied = dict(_DENIED, **(_MEMFD if deny_memfd else {}))
    numbers = sorted({row[column] for row in denied.values()})
    keyctl = _KEYCTL[column]
    deny = _ret(_ERRNO | errno.EPERM)
    prog = [
        _op(_LD_W_ABS, _ARCH),
        _op(_JEQ_K, audit_arch, jt=1),
        _ret(_KILL_PROCESS),
        _op(_LD_W_ABS, _NR),
    ]
    if column == 0:  # x32 system calls share the architecture value; their numbers carry a bit
        prog += [_op(_JGE_K, _X32_BIT, jf=1), _ret(_KILL_PROCESS)]
    for number in numbers:
        prog += [_op(_JEQ_K, number, jf=1), deny]
    prog += [
        _op(_JEQ_K, keyctl, jf=4),  # not keyctl: on to the final allow
        _op(_LD_W_ABS, _ARG0),  # keyctl's operation (an int: the low 32 bits)
        _op(_JEQ_K, KEYCTL_JOIN_SESSION_KEYRING, jf=1),
        _ret(_ALLOW),
        deny,
        _ret(_ALLOW),
    ]
    return b"".join(prog)


def _ret(value: int) -> bytes:
    return _op(_RET_K, value)


def keyctl_number(machine: str | None = None) -> int | None:
    arch = _ARCHES.get(machine or platform.machine())
    return None if arch is None else _KEYCTL[arch[1]]
