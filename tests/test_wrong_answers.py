"""The wrong-answer library (`solutions/wrong/`) as the one vocabulary of typical bugs.

`grader check` proves that each entry loses points on its target; these tests prove that
the hidden tests name the bugs they know through the library (one name, one description,
one implementation), and that an entry runs on its own, as a hidden test calls it.
"""

import ast
import builtins
import dis

import nbformat
import pytest

from grader.days import REPO, Day, built_days
from solutions.wrong import diagnoses

DAYS = [d.name for d in built_days()]
BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def global_names(code):
    """The global names a function's code reads, its lambdas and comprehensions included."""
    names = {i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL"}
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            names |= global_names(const)
    return names


@pytest.mark.parametrize("day", DAYS)
def test_every_wrong_answer_runs_on_its_own(day):
    # In a notebook an entry reads the notebook's functions; in a hidden test it runs from
    # its module, which must then define or import every name it reads.
    for w in Day.named(day).wrong_answers():
        fn = w.function
        missing = sorted(n for n in global_names(fn.__code__)
                         if n not in fn.__globals__ and not hasattr(builtins, n))
        assert not missing, f"{w.name} reads {missing}, which solutions.wrong.{day} lacks"


def test_diagnoses_pairs_entries_with_their_descriptions():
    from solutions.wrong.day1_forward import WRONG_ANSWERS, softmax_wrong_axis

    (entry,) = [w for w in WRONG_ANSWERS if w.function is softmax_wrong_axis]
    assert diagnoses(softmax_wrong_axis) == [(softmax_wrong_axis, entry.description)]
    with pytest.raises(ValueError, match="lambda"):
        diagnoses(softmax_wrong_axis, lambda z: z)


def hidden_tests(day):
    """(notebook, grade id, source of the hidden part) of every test cell of a day."""
    for path in sorted((REPO / day).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and BEGIN in cell.source:
                hidden = cell.source.split(BEGIN, 1)[1].split(END, 1)[0]
                yield path.name, cell.metadata["nbgrader"]["grade_id"], hidden


def known_wrong_lists(tree):
    """The expressions a test gives as its known-wrong variants: wrong=... and WRONG = ...
    (wrong=[... for w, m in WRONG], which wraps each of WRONG, is checked at WRONG)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "wrong":
            if isinstance(node.value, ast.ListComp):
                iters = [g.iter for g in node.value.generators]
                if all(getattr(i, "id", None) == "WRONG" for i in iters):
                    continue
                # [... for w, m in diagnoses(...)] wraps each entry: check the diagnoses call.
                if all(isinstance(i, ast.Call) and getattr(i.func, "id", None) == "diagnoses"
                       for i in iters):
                    yield from iters
                    continue
            yield node.value
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "WRONG"
                                                  for t in node.targets):
            yield node.value


@pytest.mark.parametrize("day", DAYS)
def test_hidden_tests_name_their_known_bugs_from_the_library(day):
    target_of = {w.function.__name__: w.target for w in Day.named(day).wrong_answers()}
    module = f"solutions.wrong.{day}"
    used = 0
    for notebook, grade_id, hidden in hidden_tests(day):
        where = f"{notebook} {grade_id}"
        tree = ast.parse(hidden)
        imported = {a.asname or a.name: a.name for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module == module
                    for a in node.names}
        for value in known_wrong_lists(tree):
            assert isinstance(value, ast.Call) and getattr(value.func, "id", None) == "diagnoses", \
                f"{where}: known-wrong variants written inline; import them from {module} " \
                f"and pass diagnoses(...)"
            for arg in value.args:
                if isinstance(arg, ast.Constant) and imported.get("diagnoses") == "diagnoses":
                    # The day's own diagnoses(target): every library entry of that target.
                    assert f"test_{arg.value}" == grade_id and arg.value in target_of.values(), \
                        f"{where}: diagnoses({arg.value!r}) names no entry of this exercise"
                    used += 1
                    continue
                name = imported.get(getattr(arg, "id", None))
                assert name in target_of, f"{where}: {ast.unparse(arg)} is not imported from {module}"
                assert f"test_{target_of[name]}" == grade_id, \
                    f"{where}: {name} is a wrong answer of {target_of[name]}"
                used += 1
    if day in ("day1_forward", "day2_backprop"):
        assert used >= 10, f"{day}: only {used} library entries named by hidden tests"


def test_the_scan_sees_an_inline_variant():
    tree = ast.parse('def bad(z):\n    return z\n\n'
                     'checks.check_cases(f, ref, cases, "f", wrong=[(bad, "a bug")])\n'
                     'WRONG = diagnoses(sgd_ascent)\n'
                     'checks.check_cases(g, ref, cases, "g", wrong=[(w, m) for w, m in WRONG])\n')
    found = sorted(ast.unparse(v) for v in known_wrong_lists(tree))
    assert found == ["[(bad, 'a bug')]", "diagnoses(sgd_ascent)"]

