"""The registry: built-in domains, the general verifier, the dotted-path escape hatch, options."""

import sys
import textwrap

import pytest

from distill.errors import DistillError
from distill.verify import Verdict, get_verifier, verify, verify_record


def test_builtin_domains_resolve():
    for domain in ("math", "choice", "code", "general"):
        assert callable(get_verifier(domain))


def test_unknown_domain_is_an_error_naming_the_choices():
    with pytest.raises(DistillError, match="math, choice, code, general"):
        verify("<think></think>x", "1", "poetry")


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "my_verifiers.py").write_text(textwrap.dedent('''
        from distill.verify import Verdict
        from distill.verify.extract import extract_final_answer

        def shouting(completion, answer, tests=None, *, loud=True):
            text, _, _ = extract_final_answer(completion)
            said = (text or "").strip()
            return Verdict(said == answer.upper(), said, "correct" if said == answer.upper() else "wrong_answer")
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_verifiers:shouting"
    sys.modules.pop("my_verifiers", None)
    get_verifier.cache_clear()


def test_dotted_path_imports_a_user_verifier(user_module):
    assert verify("<think></think> HELLO", "hello", user_module) == Verdict(True, "HELLO", "correct")
    assert verify("<think></think> hello", "hello", user_module, loud=False).reason == "wrong_answer"
    record = {"completion": "<think></think> HI", "answer": "hi", "domain": user_module}
    assert verify_record(record).correct


def test_dotted_path_errors_are_clear():
    with pytest.raises(DistillError, match="cannot import"):
        verify("x", "y", "no_such_module_xyz:fn")
    with pytest.raises(DistillError, match="has no function"):
        verify("x", "y", "json:no_such_function")


def test_unknown_option_is_an_error():
    with pytest.raises(DistillError, match="has no option 'letters'"):
        verify("<think></think>\\boxed{1}", "1", "math", letters="AB")


def test_general_needs_a_final_answer_only():
    assert verify("<think>x</think>\n\nParis is the capital.", "", "general") == Verdict(True, "Paris is the capital.", "correct")
    assert verify("<think>x</think>\n\n\\boxed{Paris}", "", "general").extracted == "Paris"
    assert verify("<think>x</think>\n\n   ", "", "general").reason == "no_answer"
    assert verify("Paris", "", "general").reason == "no_think_close"
    assert verify("<think>x</think> \\boxed{}", "", "general").reason == "empty_box"
    assert verify("<think>x</think> \\boxed{Paris} or \\boxed{Lyon}", "", "general").reason == "hedge"


def test_verify_record_reads_fields_and_names_what_is_missing():
    record = {"completion": "<think></think>\\boxed{4}", "answer": "4", "domain": "math"}
    assert verify_record(record).correct
    assert verify_record({**record, "answer": 4}).correct  # a number in JSON reads as its text
    with pytest.raises(DistillError, match="missing completion"):
        verify_record({"answer": "4", "domain": "math"})
    with pytest.raises(DistillError, match="missing answer"):
        verify_record({"completion": "x", "domain": "math"})
    with pytest.raises(DistillError, match="missing tests"):
        verify_record({"completion": "x", "domain": "code"})
    with pytest.raises(DistillError, match="completion must be a string"):
        verify_record({"completion": ["x"], "answer": "1", "domain": "math"})
