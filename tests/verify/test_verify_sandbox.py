"""The code verifier and its bubblewrap sandbox: hostile code ends in a verdict, the run goes on."""

import json
import os
import socket
import threading
import time

import pytest

from distill.errors import DistillError
from distill.verify import verify
from distill.verify.code import last_code_block
from distill.verify.sandbox import Limits, Sandbox, SandboxUnavailable

ADD = [{"input": "1 2\n", "output": "3\n"}, {"input": "10 -4\n", "output": "6"}]
NEEDS_NO_SANDBOX = {"test_sandbox_fails_closed_without_bwrap", "test_the_last_python_block_is_the_answer"}


@pytest.fixture(autouse=True)
def _sandbox_available(request):
    if request.node.originalname not in NEEDS_NO_SANDBOX:
        request.getfixturevalue("bwrap_sandbox")


def solution(code: str) -> str:
    return f"<think>I will add them.</think>\n\nHere is my program:\n\n```python\n{code}\n```\n"


def run(code: str, tests=ADD, **options):
    options.setdefault("timeout", 2.0)
    return verify(solution(code), "", "code", tests=tests, **options)


def test_correct_code_passes_and_wrong_output_fails():
    assert run("a, b = map(int, input().split())\nprint(a + b)").reason == "correct"
    assert run("a, b = map(int, input().split())\nprint(a - b)").reason == "wrong_answer"


def test_trailing_whitespace_is_ignored_but_content_is_not():
    assert run("a, b = map(int, input().split())\nprint(a + b, '  ')\nprint()").reason == "correct"
    assert run("a, b = map(int, input().split())\nprint(' ', a + b)").reason == "wrong_answer"


def test_no_code_and_no_think_close():
    assert verify("<think>x</think>\n\nprint(3)", "", "code", tests=ADD).reason == "no_code"
    assert verify("```python\nprint(3)\n```", "", "code", tests=ADD).reason == "no_think_close"
    # code only inside the reasoning does not count
    assert verify("<think>```python\nprint(3)\n```</think> done", "", "code", tests=ADD).reason == "no_code"


def test_the_last_python_block_is_the_answer():
    text = "```python\nprint(1)\n```\ntext\n```\nplain block\n```\n```py\nprint(2)\n```\n```bash\nls\n```"
    assert last_code_block(text).strip() == "print(2)"


def test_runtime_error():
    assert run("raise SystemExit(3)").reason == "runtime_error"
    assert run("1/0").reason == "runtime_error"


def test_infinite_loop_times_out():
    started = time.monotonic()
    assert run("while True: pass", timeout=1.0).reason == "timeout"
    assert time.monotonic() - started < 5


def test_cpu_limit_stops_a_busy_loop_before_the_wall_clock():
    started = time.monotonic()
    assert run("while True: pass", timeout=20.0, cpu_seconds=1).reason == "timeout"
    assert time.monotonic() - started < 15  # RLIMIT_CPU, not the 20 s wall clock (1 CPU-s is slower on a busy machine)


def test_memory_bomb_is_stopped():
    assert run("x = bytearray(4 * 1024**3)\nprint(len(x))").reason == "memory"
    # a generous wall clock: on a busy machine, starting and filling 256 MB can take seconds
    assert run("chunks = []\nwhile True: chunks.append(b'x' * 10**7)", memory_mb=256, timeout=15.0).reason == "memory"


def test_output_flood_is_capped():
    assert run("while True: print('y' * 1000)", max_output_bytes=100_000).reason == "output_limit"


def test_no_writes_outside_the_scratch_dir(tmp_path):
    target = tmp_path / "escaped"
    code = f"open({str(target)!r}, 'w').write('x')\nprint('wrote')"
    assert run(code).reason == "runtime_error"
    assert not target.exists()
    assert run("open('/usr/escaped', 'w').write('x')").reason == "runtime_error"
    # the tmpfs scratch dir is writable
    tests = [{"input": "", "output": "ok"}]
    assert run("open('/tmp/f', 'w').write('ok')\nprint(open('/tmp/f').read())", tests=tests).reason == "correct"


def test_host_files_are_not_visible():
    here = os.path.abspath(__file__)
    tests = [{"input": "", "output": "False"}]
    assert run(f"import os\nprint(os.path.exists({here!r}))", tests=tests).reason == "correct"


@pytest.fixture
def loopback_server():
    """A real TCP server on the host's loopback; it records whether anyone connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            seen.append(True)
            conn.sendall(b"hello\n")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def test_no_network(loopback_server):
    port, seen = loopback_server
    code = f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=1)\nprint(s.recv(10).decode().strip())"
    tests = [{"input": "", "output": "hello"}]
    assert run(code, tests=tests).reason == "runtime_error"
    assert run("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)", tests=tests).reason == "runtime_error"
    assert seen == []
    # The same code reaches the server without the sandbox: the test above can fail.
    assert run(code, tests=tests, sandbox="none").reason == "correct"
    assert seen == [True]


def _sandboxed_pythons() -> list[int]:
    """Python processes descending from this test process (bwrap's own two are left out).

    Orphans re-parent to the sandbox's pid-namespace init, itself our descendant, so the whole
    bomb is found, and another test run on the same machine is not."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        names[int(entry)] = name
    found, todo = [], list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        if "python" in names.get(pid, ""):
            found.append(pid)
    return found


def test_fork_bomb_is_contained_and_the_run_goes_on():
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    out = {}

    def work():
        started = time.monotonic()
        out["verdict"] = run(bomb, timeout=2.0, max_procs=13)
        out["seconds"] = time.monotonic() - started

    before = set(_sandboxed_pythons())  # e.g. multiprocessing's resource tracker from other tests
    thread = threading.Thread(target=work)
    thread.start()
    most = 0
    while thread.is_alive():  # sample while it runs: the most sandboxed processes seen at once
        most = max(most, len(set(_sandboxed_pythons()) - before))
        time.sleep(0.1)
    thread.join()
    assert out["verdict"].reason == "timeout" and not out["verdict"].correct
    assert out["seconds"] < 10
    assert 1 < most <= 13  # it was forking, up to the limit and no further
    time.sleep(0.5)
    assert set(_sandboxed_pythons()) - before == set()  # the whole pid namespace is gone
    # The process limit is what stopped it: counting children hits a wall well below 200.
    counter = (
        "import os, sys\nn = 0\nfor _ in range(200):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
        "    if pid == 0:\n        import time; time.sleep(2); os._exit(0)\n    n += 1\nprint(n < 20)"
    )
    assert run(counter, tests=[{"input": "", "output": "True"}], max_procs=13, timeout=5.0).reason == "correct"
    assert run("a, b = map(int, input().split())\nprint(a + b)").reason == "correct"


def test_sandbox_fails_closed_without_bwrap(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        Sandbox("bwrap", Limits())
    with pytest.raises(DistillError, match="expected 'bwrap' or 'none'"):
        Sandbox("docker", Limits())


def test_tests_may_arrive_as_json_text():
    assert run("a, b = map(int, input().split())\nprint(a + b)", tests=json.dumps(ADD)).reason == "correct"


@pytest.mark.parametrize("tests", [None, [], [{"input": 1, "output": "x"}], ["x"], "not json"])
def test_unusable_tests_are_an_error_not_a_verdict(tests):
    with pytest.raises(DistillError, match="test"):
        verify(solution("print(1)"), "", "code", tests=tests)


NON_ROOT_CHECK = """
import os, sys
sys.path.insert(0, sys.argv[1])
from distill.verify.sandbox import Limits, Sandbox
box = Sandbox(limits=Limits(timeout=3, max_procs=13))
assert box.drop_to is None and os.getuid() != 0
counter = ("import os\\nn = 0\\nfor _ in range(200):\\n    try:\\n        pid = os.fork()\\n    except OSError:\\n        break\\n"
           "    if pid == 0:\\n        import time; time.sleep(2); os._exit(0)\\n    n += 1\\nprint(n)")
print(int(box.run_python(counter, "").stdout), box.run_python("import socket; socket.create_connection(('1.1.1.1', 80), timeout=1)", "").status)
"""


def test_process_limit_holds_for_an_unprivileged_user_too():
    """As a normal user there is no uid to drop: the limit inside the user namespace does the work."""
    import shutil
    import subprocess
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    if os.geteuid() != 0 or not shutil.which("setpriv") or not os.access("/usr/bin/python3", os.X_OK):
        pytest.skip("needs root (to become uid 65534), setpriv and /usr/bin/python3")
    if not all(p.stat().st_mode & 0o005 for p in [repo, *repo.parents, repo / "distill"]):
        pytest.skip(f"{repo} is not readable by other users")
    out = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", NON_ROOT_CHECK, str(repo)],
        capture_output=True, text=True, timeout=60, cwd="/",
    )
    assert out.returncode == 0, out.stderr[-2000:]
    forks, network = out.stdout.split()
    assert int(forks) < 13 and network == "runtime_error"
