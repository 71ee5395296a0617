"""The arrows between the provider packages run one way (DESIGN.md, Layout): read from
the source with ast, every import counted, those inside functions too."""

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("providers.tencentcloud.emulator", "providers.tencentcloud.dataplane",
          "providers.strongswan", "providers.swankit", "providers.netlab")


def _modules() -> dict[str, Path]:
    out = {}
    for path in (ROOT / "providers").rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(name: str, path: Path, modules: dict) -> set[str]:
    """The modules (of providers/ or elsewhere, by dotted name) that ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names
                         if f"{base}.{a.name}" in modules)
    return found


def _graph() -> nx.DiGraph:
    modules = _modules()
    g = nx.DiGraph()
    for name, path in modules.items():
        for target in _imports(name, path, modules):
            if target.startswith(("providers", "engine")) and target != name:
                g.add_edge(name, target)
    return g


def _group(module: str) -> str:
    return next((g for g in GROUPS if module == g or module.startswith(g + ".")), module)


def _within(module: str, group: str) -> bool:
    return module == group or module.startswith(group + ".")


GRAPH = _graph()


def test_no_cycle_between_the_emulator_dataplane_strongswan_netlab_and_swankit():
    groups = nx.DiGraph((_group(a), _group(b)) for a, b in GRAPH.edges
                        if _group(a) != _group(b))
    cycles = list(nx.simple_cycles(groups))
    assert not [c for c in cycles if set(c) & set(GROUPS)], cycles


def _edges(src: str, dst: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in GRAPH.edges if _within(a, src) and _within(b, dst)]


def test_the_emulator_never_imports_the_dataplane():
    assert _edges("providers.tencentcloud.emulator", "providers.tencentcloud.dataplane") == []


def test_the_dataplane_reaches_the_emulator_only_through_its_realiser_hook():
    allowed = {"providers.tencentcloud.emulator.realiser"}
    assert [e for e in _edges("providers.tencentcloud.dataplane",
                              "providers.tencentcloud.emulator") if e[1] not in allowed] == []


def _outside(src: str, allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in GRAPH.edges if _within(a, src) and b.startswith("providers.")
            and not any(_within(b, ok) for ok in allowed)]


def test_swankit_imports_none_of_its_users():
    assert _outside("providers.swankit", ("providers.swankit",)) == []


def test_the_lab_imports_only_swankit():
    assert _outside("providers.netlab", ("providers.netlab", "providers.swankit")) == []


def test_provider_verbs_use_only_the_command_plugin_api():
    cli_imports = [(a, b) for a, b in GRAPH.edges if a.startswith("providers")
                   and _within(b, "engine.cli") and b != "engine.cli.plugin"]
    assert cli_imports == []
