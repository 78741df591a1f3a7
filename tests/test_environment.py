"""environment.yml (conda) and pyproject.toml (pip) list the same packages with the same bounds.

Students build the conda environment, the project's CI and instructors the pip
one; a bound changed in one file and not in the other would give the two groups
different libraries.  How a pip requirement reads in conda:

    pip                        conda (conda-forge)
    torch==2.13.0              pytorch=2.13.0        (the name differs; `=` pins the version)
    playwright>=1.40           playwright-python>=1.40   (the name differs)
    numpy>=1.26,<3             numpy>=1.26,<3        (bounds carry over as they are)
    requires-python >=3.11,<3.12   python=3.11
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml  # PyYAML: a dependency of nbgrader, so always installed with the project
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT = ROOT / "environment.yml"

#: pip name -> conda-forge name, where they differ
CONDA_NAME = {"torch": "pytorch", "playwright": "playwright-python"}
PIP_NAME = {conda: pip for pip, conda in CONDA_NAME.items()}

CONDA_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<constraints>.*)$")
CONDA_CONSTRAINT = re.compile(r"^(?P<op>>=|<=|==|!=|>|<|=)\s*(?P<version>[0-9][0-9A-Za-z.]*)$")


def normalized(name):
    """PEP 503 form: 'Scikit_Learn' and 'scikit-learn' are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_requirements(pyproject=PYPROJECT):
    """{name: {(op, version), ...}} from [project].dependencies, plus 'python' from requires-python."""
    project = tomllib.loads(Path(pyproject).read_text())["project"]
    reqs = {}
    for line in project["dependencies"]:
        req = Requirement(line)
        assert not req.marker and not req.extras, f"{line}: markers and extras have no conda form"
        reqs[normalized(req.name)] = {(s.operator, s.version) for s in req.specifier}
    reqs["python"] = {(s.operator, s.version) for s in Requirement(
        "python" + project["requires-python"]).specifier}
    return reqs


def conda_requirements(environment=ENVIRONMENT):
    """{conda name: {(op, version), ...}} from environment.yml's dependencies, bounds in pip's terms.

    conda's `name=X.Y.Z` matches version X.Y.Z (and its X.Y.Z.* builds) and is read
    as pip's `==X.Y.Z`; `python=3.11` means any 3.11.x, pip's `>=3.11,<3.12`.
    """
    env = yaml.safe_load(Path(environment).read_text())
    reqs = {}
    for entry in env["dependencies"]:
        if not isinstance(entry, str):
            # A `pip:` section (packages conda-forge lacks), in pip's own spelling.
            for line in entry.get("pip", []):
                req = Requirement(line)
                reqs[normalized(req.name)] = {(s.operator, s.version) for s in req.specifier}
            continue
        match = CONDA_SPEC.match(entry.strip())
        assert match, f"environment.yml: cannot read the dependency {entry!r}"
        name = normalized(match["name"])
        if name == "pip" and not match["constraints"].strip():
            continue  # the installer of the pip: section, not a dependency of the course
        bounds = set()
        for part in filter(None, (p.strip() for p in match["constraints"].split(","))):
            constraint = CONDA_CONSTRAINT.match(part)
            assert constraint, f"environment.yml: cannot read the version {part!r} of {entry!r}"
            op, version = constraint["op"], constraint["version"]
            if name == "python" and op == "=":
                major, minor = version.split(".")[:2]
                bounds |= {(">=", f"{major}.{minor}"), ("<", f"{major}.{int(minor) + 1}")}
                continue
            bounds.add(("==" if op == "=" else op, version))
        reqs[name] = bounds
    return reqs


def mismatches(pyproject=PYPROJECT, environment=ENVIRONMENT):
    """Every difference between the two files, one readable line each; [] when in step."""
    pip = {CONDA_NAME.get(name, name): bounds
           for name, bounds in pip_requirements(pyproject).items()}
    conda = conda_requirements(environment)
    problems = []

    def show(conda_name, bounds):
        spec = ",".join(f"{op}{v}" for op, v in sorted(bounds))
        pip_name = PIP_NAME.get(conda_name)
        return f"{conda_name}{spec}" + (f" (pip: {pip_name})" if pip_name else "")

    for name in sorted(set(pip) | set(conda)):
        if name not in conda:
            problems.append(f"{show(name, pip[name])} is in pyproject.toml, not in environment.yml")
        elif name not in pip:
            problems.append(f"{show(name, conda[name])} is in environment.yml, not in pyproject.toml"
                            + (f" (a pip name: conda-forge calls it {CONDA_NAME[name]})"
                               if name in CONDA_NAME else ""))
        elif pip[name] != conda[name]:
            problems.append(f"{name}: pyproject.toml says {show(name, pip[name])}, "
                            f"environment.yml says {show(name, conda[name])}")
    return problems


# --- the real files ----------------------------------------------------------------


def test_environment_and_pyproject_list_the_same_packages_and_bounds():
    assert mismatches() == []


def test_environment_yml_is_the_course_environment_on_conda_forge():
    env = yaml.safe_load(ENVIRONMENT.read_text())
    assert env["name"] == "backprop-workbook"
    assert env["channels"] == ["conda-forge"]
    assert "python=3.11" in env["dependencies"]
    assert "pytorch=2.13.0" in env["dependencies"]


def test_the_student_environment_does_not_install_the_project():
    env = yaml.safe_load(ENVIRONMENT.read_text())
    pip_sections = [e["pip"] for e in env["dependencies"] if isinstance(e, dict) and "pip" in e]
    names = [normalized(e) for e in env["dependencies"] if isinstance(e, str)]
    names += [normalized(line) for section in pip_sections for line in section]
    assert "backprop-workbook" not in names
    assert not any(line.strip().startswith(("-e", ".")) for section in pip_sections for line in section)


def test_the_project_imports_course_as_a_package_from_anywhere(tmp_path):
    # An editable install made before course/__init__.py existed leaves `course` a namespace
    # package outside the repository: no install_friendly_errors, no "not implemented yet" note.
    out = subprocess.run([sys.executable, "-c", "import course; print(course.__file__)"],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(out).parts[-2:] == ("course", "__init__.py"), (
        f"`import course` outside the repository gives {out!r}; "
        f"reinstall the project: pip install -e .")


# --- the comparison itself can fail ----------------------------------------------------


@pytest.fixture
def copies(tmp_path):
    pyproject, environment = tmp_path / "pyproject.toml", tmp_path / "environment.yml"
    shutil.copy(PYPROJECT, pyproject)
    shutil.copy(ENVIRONMENT, environment)
    assert mismatches(pyproject, environment) == []
    return pyproject, environment


def edit(path, old, new):
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not found once in {path.name}"
    path.write_text(text.replace(old, new))


def test_a_bound_changed_on_one_side_is_caught(copies):
    pyproject, environment = copies
    edit(environment, "- numpy>=1.26,<3", "- numpy>=1.25,<3")
    assert mismatches(pyproject, environment) == [
        "numpy: pyproject.toml says numpy<3,>=1.26, environment.yml says numpy<3,>=1.25"]


def test_a_dropped_upper_bound_is_caught(copies):
    pyproject, environment = copies
    edit(environment, "- jupyterlab>=4.2,<5", "- jupyterlab>=4.2")
    assert mismatches(pyproject, environment) == [
        "jupyterlab: pyproject.toml says jupyterlab<5,>=4.2, environment.yml says jupyterlab>=4.2"]


def test_torch_under_its_pip_name_in_environment_yml_is_caught(copies):
    pyproject, environment = copies
    edit(environment, "- pytorch=2.13.0", "- torch=2.13.0")
    problems = mismatches(pyproject, environment)
    assert problems == [
        "pytorch==2.13.0 (pip: torch) is in pyproject.toml, not in environment.yml",
        "torch==2.13.0 is in environment.yml, not in pyproject.toml "
        "(a pip name: conda-forge calls it pytorch)"]


def test_another_torch_version_is_caught(copies):
    pyproject, environment = copies
    edit(pyproject, '"torch==2.13.0"', '"torch==2.12.1"')
    assert mismatches(pyproject, environment) == [
        "pytorch: pyproject.toml says pytorch==2.12.1 (pip: torch), "
        "environment.yml says pytorch==2.13.0 (pip: torch)"]


def test_a_package_on_one_side_only_is_caught(copies):
    pyproject, environment = copies
    edit(pyproject, '"hypothesis>=6.100",', '"hypothesis>=6.100",\n    "scipy>=1.11",')
    edit(environment, "  - pytest>=8\n", "")
    assert mismatches(pyproject, environment) == [
        "pytest>=8 is in pyproject.toml, not in environment.yml",
        "scipy>=1.11 is in pyproject.toml, not in environment.yml"]


def test_another_python_is_caught(copies):
    pyproject, environment = copies
    edit(environment, "- python=3.11", "- python=3.12")
    assert mismatches(pyproject, environment) == [
        "python: pyproject.toml says python<3.12,>=3.11, environment.yml says python<3.13,>=3.12"]


def test_an_unreadable_conda_spec_is_reported(copies):
    pyproject, environment = copies
    edit(environment, "- pytest>=8", "- pytest>=8.*")
    with pytest.raises(AssertionError, match=r"cannot read the version '>=8\.\*'"):
        mismatches(pyproject, environment)


def test_a_pip_section_package_is_compared_too(copies):
    pyproject, environment = copies
    edit(environment, "- django-static-mathjax==3.2.2.1", "- django-static-mathjax==3.2.2.0")
    assert mismatches(pyproject, environment) == [
        "django-static-mathjax: pyproject.toml says django-static-mathjax==3.2.2.1, "
        "environment.yml says django-static-mathjax==3.2.2.0"]
