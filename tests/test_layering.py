"""Pages and HTTP routes live in web/: no capability package imports a web
framework (DESIGN.md, "Shape of the code")."""

from __future__ import annotations

import ast
from pathlib import Path

import rehabkoll

PACKAGE = Path(rehabkoll.__file__).parent
WEB_ONLY = ("fastapi", "starlette", "jinja2", "markupsafe")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_capability_package_imports_a_web_framework() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "web" or len(relative.parts) == 1:
            continue  # web/ itself; top-level modules (cli.py starts the server)
        for name in imported_modules(path):
            if name.split(".")[0] in WEB_ONLY:
                offenders.append(f"{relative}: {name}")
    assert offenders == []


def test_the_check_sees_an_import_of_fastapi(tmp_path: Path) -> None:
    # The check itself can fail: a module importing FastAPI is found.
    module = tmp_path / "views.py"
    module.write_text("from fastapi import APIRouter\nimport jinja2.loaders\n", encoding="utf-8")
    assert imported_modules(module) == {"fastapi", "jinja2.loaders"}


def test_statistics_pages_and_templates_live_in_web() -> None:
    assert not (PACKAGE / "statistics" / "views.py").exists()
    assert not (PACKAGE / "statistics" / "templates").exists()
    assert (PACKAGE / "web" / "templates" / "statistics" / "report.html").is_file()
