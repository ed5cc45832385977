"""The package's layers import only downwards (README, "Repository layout"), function-level
imports included: a lower floor never reaches into a higher one."""

from __future__ import annotations

import ast
from pathlib import Path

import zhnerbench

PACKAGE = Path(zhnerbench.__file__).resolve().parent

#: The floors, lowest first; a module belongs to the floor of its subpackage, or of its name for
#: the top-level modules. The README's layout section states the same order.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("zhnerbench.version", "zhnerbench.timing", "zhnerbench.exceptions", "zhnerbench.schema",
              "zhnerbench.document", "zhnerbench.model", "zhnerbench.offsets", "zhnerbench.tag_schemes",
              "zhnerbench.views", "zhnerbench.counts", "zhnerbench.digests", "zhnerbench.paths",
              "zhnerbench.secrets", "zhnerbench.printable", "zhnerbench.tsv", "zhnerbench.reading",
              "zhnerbench.writing", "zhnerbench.shards")),
    ("gold", ("zhnerbench.gold",)),
    ("formats", ("zhnerbench.formats",)),
    ("eval", ("zhnerbench.eval",)),
    ("baselines", ("zhnerbench.baselines",)),
    ("harness", ("zhnerbench.harness",)),
    ("board", ("zhnerbench.board",)),
    ("runner", ("zhnerbench.runner",)),
    ("commands", ("zhnerbench.commands",)),
    ("cli", ("zhnerbench.cli", "zhnerbench.process", "zhnerbench")),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """The floor of a module: that of the longest prefix among :data:`LAYERS`."""
    best: tuple[int, int] | None = None
    for floor, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), floor)
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS and to the README"
    return best[1]


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every zhnerbench module ``module`` imports, at any depth (in functions too), with its line;
    ``importlib.import_module("zhnerbench....")`` with a literal name counts as an import."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from zhnerbench import x` where x is a module of the package imports that module.
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names
                      if (PACKAGE.parent / f"{name}.{alias.name}".replace(".", "/")).with_suffix(".py").exists()]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "import_module" \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.append((node.lineno, node.args[0].value))
    return [(line, name) for line, name in found if name == "zhnerbench" or name.startswith("zhnerbench.")]


def test_every_import_goes_down_the_layers() -> None:
    climbing = []
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 90
    for path in modules:
        if "_data" in path.relative_to(PACKAGE).parts:
            continue
        module = module_name(path)
        floor = layer_of(module)
        for line, imported in imported_modules(ast.parse(path.read_text(encoding="utf-8")), module,
                                               path.name == "__init__.py"):
            if layer_of(imported) > floor:
                climbing.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {LAYERS[floor][0]} module {module} "
                                f"imports {imported} ({LAYERS[layer_of(imported)][0]})")
    assert not climbing, "imports that climb a layer:\n" + "\n".join(climbing)


def test_the_check_sees_function_level_and_dynamic_imports() -> None:
    source = ("def f():\n    from zhnerbench.board.records import Record\n"
              "import importlib\nimportlib.import_module('zhnerbench.runner.run')\n")
    found = [name for _, name in imported_modules(ast.parse(source), "zhnerbench.eval.x", False)]
    assert found == ["zhnerbench.board.records", "zhnerbench.runner.run"]
    assert layer_of("zhnerbench.board.records") > layer_of("zhnerbench.eval.x")


def test_the_readme_states_the_same_order() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    assert " → ".join(name for name, _ in LAYERS) in readme
