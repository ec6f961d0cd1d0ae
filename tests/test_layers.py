"""The layering of the design notes: a module imports only from its own layer or from
lower ones (spaces < objectives < vae < search < study < reports, dashboard < cli < console)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import vaenas

PACKAGE = Path(vaenas.__file__).parent
LAYERS = {"errors": 0, "registry": 0, "saved_files": 0, "cpu_share": 0, "constructor_options": 0, "_experiment_settings": 0, "spaces": 1, "objectives": 2, "proxies": 2, "vae": 3, "search": 4,
          "study": 5, "reports": 6, "dashboard": 6, "cli": 7, "console": 8, "__main__": 8}


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


def test_the_command_line_starts_without_torch():
    """`vaenas --help` imports no back-end: torch, BoTorch, NumPy load when a command runs."""
    code = "import sys, vaenas.cli; print(sorted(m for m in ('torch', 'botorch', 'numpy') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_mistakes_in_plain_numbers_are_answered_before_torch_loads():
    """A busy laptop takes seconds to load torch: `vaenas search --budget 0` must not wait for it."""
    for argv in (["--budget", "0"], ["--seed", "-1"], ["--workers", "0"], ["--ray-address", "x", "--executor", "pool"]):
        code = ("import sys\nfrom vaenas.console import main\n"
                f"sys.argv = ['vaenas', 'search', *{argv!r}]\n"
                "try:\n    main()\nexcept SystemExit as exc:\n    print(exc.code, 'torch' in sys.modules)")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert done.stdout.split() == ["2", "False"], (argv, done.stdout, done.stderr)


def test_the_library_takes_its_fair_share_of_the_cpus_as_the_command_line_does():
    """`import vaenas` before torch sizes torch's thread pools to the CPUs no other
    process keeps busy (VAENAS_THREADS chooses); a user's own setting stays. Idle threads
    sleep where other processes are busy."""
    from vaenas.cpu_share import wait_policy

    code = "import os, vaenas, torch; print(os.environ['OMP_NUM_THREADS'], torch.get_num_threads())"
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**env, "VAENAS_THREADS": "1"})
    assert done.stdout.split() == ["1", "1"]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**env, "VAENAS_THREADS": "1", "OMP_NUM_THREADS": "2"})
    assert done.stdout.split()[0] == "2"
    assert wait_policy(busy=1) == "PASSIVE" and wait_policy(busy=0) is None


def test_no_import_cycles():
    """Modules import each other in one direction only, counting imports inside
    functions and under TYPE_CHECKING: a cycle makes the order of imports matter, and
    ties two modules into one."""
    graph = import_graph()
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for target in graph.get(node, ()):
                if target == start:
                    cycles.append(" -> ".join([*path, start]))
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, [*path, target]))
    assert not cycles, cycles[:5]


def import_graph():
    """Module -> the vaenas modules it imports anywhere (a package counts as its __init__)."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        modules[".".join(relative.parts).removesuffix(".__init__")] = path
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text())
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("vaenas"):
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.add(sub if sub in modules else node.module)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("vaenas."))
        graph[module] = {t for t in targets if t in modules and t != module}
    return graph


def test_the_dashboard_server_runs_without_torch():
    """The dashboard's server reads journals and draws architectures without torch (its
    memory stays small beside a running search); the latent map loads it in a process
    of its own."""
    pytest.importorskip("starlette")
    code = ("import sys, vaenas.cli.dashboard, vaenas.dashboard.server, vaenas.dashboard.app; "
            "from vaenas.spaces import space_of; space_of('nb201', None); "
            "print(sorted(m for m in ('torch', 'botorch') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
