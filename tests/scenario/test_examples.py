"""The bundled example scenarios: shipped inside the package, found by name, all valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from costmodel.core.errors import InputError
from costmodel.scenario import examples
from costmodel.scenario.io import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_examples_live_in_the_package_and_the_checkout_folder_points_there() -> None:
    assert (ROOT / "costmodel" / "examples").resolve() == examples.EXAMPLES_DIR
    assert (ROOT / "examples").resolve() == examples.EXAMPLES_DIR
    assert (examples.SAMPLES_DIR / "support-finetune.jsonl").is_file()
    assert examples.DEFAULT_EXAMPLE_NAME in examples.example_names()


@pytest.mark.parametrize("path", examples.example_paths(), ids=lambda p: p.stem)
def test_every_bundled_example_loads(path: Path) -> None:
    assert load_scenario(path).strategies


@pytest.mark.parametrize("name", ["fintech-support", "fintech-support.yaml"])
def test_a_bare_name_is_the_bundled_example(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert examples.resolve_scenario_path(name) == examples.EXAMPLES_DIR / "fintech-support.yaml"


def test_an_existing_file_wins_over_a_bundled_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fintech-support.yaml").write_text("name: mine\n", encoding="utf-8")
    assert examples.resolve_scenario_path("fintech-support.yaml") == Path("fintech-support.yaml")


@pytest.mark.parametrize("argument", ["missing/fintech-support", "./nope.yaml", "/no/such/file.yaml"])
def test_a_path_with_a_folder_is_left_to_the_loader(argument: str) -> None:
    assert examples.resolve_scenario_path(argument) == Path(argument)


@pytest.mark.parametrize("name", ["nope", "nope.yaml", ".", ".."])
def test_an_unknown_name_lists_the_bundled_examples(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path / "..")
    if Path(name).exists():  # "." and ".." exist: the loader reports them as folders, as before
        assert examples.resolve_scenario_path(name) == Path(name)
        return
    with pytest.raises(InputError) as err:
        examples.resolve_scenario_path(name)
    (problem,) = err.value.problems
    assert problem.file == name and problem.field == "<file>"
    assert all(example in problem.message for example in examples.example_names())
