"""The layering of the design notes: a module imports only from its own layer or from
lower ones (spaces < objectives < vae < search < study < report, map, cli)."""

import ast
from pathlib import Path

import vaenas

PACKAGE = Path(vaenas.__file__).parent
LAYERS = {"errors": 0, "registry": 0, "experiment_settings": 0, "spaces": 1, "objectives": 2, "vae": 3, "search": 4, "study": 5,
          "report": 6, "comparison_report": 6, "pareto_report": 6, "latent_map": 6, "final_training": 6, "cli": 6, "console": 7, "__main__": 7}


def layer_of(module: str) -> int | None:
    """The layer of a `vaenas.x...` module name (None for the package's own lazy index)."""
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else None


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "vaenas" or m.startswith("vaenas.")}


def test_no_module_imports_from_a_higher_layer():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        own = layer_of(module)
        if own is None:
            continue
        for target in imported_modules(path):
            theirs = layer_of(target)
            if theirs is not None and theirs > own:
                upward.append(f"{module} imports {target}")
    assert not upward, upward


def test_every_module_has_a_layer():
    tops = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
            if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").is_file())}
    assert tops <= set(LAYERS), tops - set(LAYERS)
