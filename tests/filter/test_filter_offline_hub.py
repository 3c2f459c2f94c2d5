"""Decontamination offline: one short connection check, then cached copies only and one warning
naming the fix; never the hub's ~90 s of retries. `strict` turns the warning into a one-line error."""

from __future__ import annotations

import socket
import time

import pytest

from distill.errors import DistillError
from distill.filter.config import DecontaminateConfig
from distill.filter.decontaminate import hub_unreachable, load_eval_problems


@pytest.fixture()
def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there: connections are refused at once
    return port


def test_unreachable_hub_is_skipped_fast_with_the_fix(monkeypatch, closed_port, capsys):
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):  # set to "0" so teardown removes what the check sets
        monkeypatch.setenv(name, "0")
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    import datasets
    import huggingface_hub

    # the check switches already-imported libraries to offline mode: put them back afterwards
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", huggingface_hub.constants.HF_HUB_OFFLINE)
    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        if hasattr(datasets.config, name):
            monkeypatch.setattr(datasets.config, name, getattr(datasets.config, name))
    assert "cannot connect to 127.0.0.1" in hub_unreachable()
    started = time.perf_counter()
    assert load_eval_problems(DecontaminateConfig(eval_sets=["aime24", "math500"])) == {}
    assert time.perf_counter() - started < 20
    err = capsys.readouterr().err
    assert err.count("warning") == 1 and "aime24, math500 not loaded" in err and "eval_dir" in err
    with pytest.raises(DistillError, match=r"cannot load eval set 'aime24'.*eval_dir"):
        load_eval_problems(DecontaminateConfig(eval_sets=["aime24"], strict=True))


def test_offline_mode_needs_no_check(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub_unreachable() == "HF_HUB_OFFLINE is set"
