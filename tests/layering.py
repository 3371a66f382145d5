"""AST checks behind tests/test_layering.py. Each check takes source text and returns
findings as "line: what", so a test can feed it a snippet and see it fail."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

SQL_CALLS = ("execute", "executemany", "sql")  # DuckDB connection/cursor methods that take SQL
CONNECTION_NAMES = {"con", "conn", "connection", "cur", "cursor", "db", "duckdb", "ro", "rw", "store"}
# SQL-shaped text, not prose that happens to start with "With" or "From".
SQL_TEXT = re.compile(
    r"""^\s*(
        select\s[\s\S]*\bfrom\s
      | with\s+(recursive\s+)?\w+(\s*\([^)]*\))?\s+as\s*\(
      | insert\s+(or\s+\w+\s+)?into\s
      | update\s+\w+\s+set\s
      | delete\s+from\s
      | create\s+(or\s+replace\s+)?(temp\s+|temporary\s+)?(table|view|macro|index|sequence|schema)\s
      | from\s+\w+(\s+\w+)?\s+(where|join|select|group|order|using)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every module imported anywhere (module level or inside a function), with its line;
    `importlib.import_module("x.y")` with a literal name counts too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and _name(node.func) == "import_module" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield node.lineno, arg.value


def forbidden_imports(source: str, forbidden: set[str]) -> list[str]:
    """Imports of a package in `forbidden` (by top-level name)."""
    return [
        f"{line}: imports {module}"
        for line, module in imported_modules(ast.parse(source))
        if module.split(".")[0] in forbidden
    ]


def sql_calls(source: str) -> list[str]:
    """`.execute(` / `.executemany(` / `.sql(` anywhere, and `.query(` on a connection name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        on_connection = isinstance(receiver, ast.Name) and receiver.id in CONNECTION_NAMES
        if method in SQL_CALLS or (method == "query" and on_connection):
            found.append(f"{node.lineno}: .{method}(")
    return found


def sql_strings(source: str) -> list[str]:
    """String constants that are SQL statements."""
    return [
        f"{node.lineno}: {node.value.strip()[:40]!r}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.match(node.value)
    ]


def built_sql(source: str) -> list[str]:
    """SQL passed to .execute/.executemany/.sql that is built from values: an f-string,
    `.format()` or `%` with a piece that is not known to be fixed text. Fixed are: string
    constants and module constants (UPPER_CASE), kernel.sql's quoting helpers (`ident(...)`,
    `path_literal(...)`), a lookup in a module constant (`ORDER[keep]`), `", ".join(...)` of
    fixed pieces, and a variable (or a call of a function of the same module) whose every
    assigned (or returned) value is fixed. A variable is followed to its assignments in the
    same function (or module)."""
    tree = ast.parse(source)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    found: list[str] = []
    for scope in [
        tree,
        *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)),
    ]:
        scope_ = _Scope(_assignments(scope), functions)
        for node in _own_nodes(scope):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                if node.func.attr in SQL_CALLS:
                    found += [f"{line}: {why}" for line, why in _built(node.args[0], scope_, depth=0)]
    return sorted(set(found), key=lambda f: int(f.split(":")[0]))


SAFE_CALLS = {"ident", "path_literal"}  # kernel.sql: an allow-listed identifier, a quoted path
MAX_DEPTH = 5  # how far variables and calls are followed


class _Scope:
    """What `_safe` may look up: the scope's assignments and the module's functions."""

    def __init__(self, assigned: dict[str, list[ast.expr]], functions: dict[str, ast.FunctionDef]) -> None:
        self.assigned = assigned
        self.functions = functions


def _built(expr: ast.expr, scope: _Scope, depth: int) -> Iterator[tuple[int, str]]:
    if isinstance(expr, ast.JoinedStr):
        for part in expr.values:
            if isinstance(part, ast.FormattedValue) and not _safe(part.value, scope, 0):
                yield part.lineno, f"f-string interpolates {ast.unparse(part.value)}"
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        for arg in [*expr.args, *(k.value for k in expr.keywords)]:
            if not _safe(arg, scope, 0):
                yield expr.lineno, f".format() with {ast.unparse(arg)}"
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and _is_text(expr.left):
        yield expr.lineno, "% formatting"
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        yield from _built(expr.left, scope, depth)
        yield from _built(expr.right, scope, depth)
    elif isinstance(expr, ast.IfExp):
        yield from _built(expr.body, scope, depth)
        yield from _built(expr.orelse, scope, depth)
    elif isinstance(expr, ast.Name) and depth < MAX_DEPTH:
        for value in scope.assigned.get(expr.id, []):
            yield from _built(value, scope, depth + 1)


def _safe(value: ast.expr, scope: _Scope, depth: int) -> bool:
    """Whether `value` is fixed text (see built_sql)."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, ast.Constant):
        return True
    if isinstance(value, ast.Name | ast.Attribute) and CONSTANT.match(_name(value)):
        return True
    if isinstance(value, ast.Name):
        values = scope.assigned.get(value.id, [])
        return bool(values) and all(_safe(v, scope, depth + 1) for v in values)
    if isinstance(value, ast.Subscript):
        return isinstance(value.value, ast.Name | ast.Attribute) and bool(CONSTANT.match(_name(value.value)))
    if isinstance(value, ast.JoinedStr):
        return all(_safe(p.value, scope, depth) for p in value.values if isinstance(p, ast.FormattedValue))
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _safe(value.left, scope, depth) and _safe(value.right, scope, depth)
    if isinstance(value, ast.IfExp):
        return _safe(value.body, scope, depth) and _safe(value.orelse, scope, depth)
    if isinstance(value, ast.Call):
        return _safe_call(value, scope, depth)
    return False


def _safe_call(call: ast.Call, scope: _Scope, depth: int) -> bool:
    name = _name(call.func)
    if name in SAFE_CALLS:
        return True
    if name == "join" and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Constant):
        items = call.args[0] if len(call.args) == 1 else None
        if isinstance(items, ast.GeneratorExp | ast.ListComp):
            return _safe(items.elt, scope, depth + 1)
        return isinstance(items, ast.List | ast.Tuple) and all(_safe(e, scope, depth + 1) for e in items.elts)
    function = scope.functions.get(name) if isinstance(call.func, ast.Name) else None
    if function is None:
        return False
    inner = _Scope(_assignments(function), scope.functions)
    returns = [n.value for n in _own_nodes(function) if isinstance(n, ast.Return) and n.value is not None]
    return bool(returns) and all(_safe(r, inner, depth + 1) for r in returns)


def _is_text(expr: ast.expr) -> bool:
    return (isinstance(expr, ast.Constant) and isinstance(expr.value, str)) or isinstance(expr, ast.Name)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """Nodes of `scope`, not descending into nested functions (they are scopes of their own)."""
    for child in ast.iter_child_nodes(scope):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if isinstance(child, ast.ClassDef):
                yield from _own_nodes(child)
            continue
        yield child
        yield from _own_nodes(child)


def _assignments(scope: ast.AST) -> dict[str, list[ast.expr]]:
    """name -> every value assigned to it in `scope` (`x = ...`, `x += ...`, `x: T = ...`)."""
    out: dict[str, list[ast.expr]] = {}
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.value is not None:
                out.setdefault(node.target.id, []).append(node.value)
    return out


def environment_reads(source: str) -> list[str]:
    """`os.environ.get(...)`, `os.getenv(...)`, `os.environ[...]` and `"X" in os.environ`
    (setting a variable for a child library, `os.environ.setdefault`, is not a read)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "getenv" or (node.func.attr == "get" and _is_environ(node.func.value)):
                found.append(f"{node.lineno}: {ast.unparse(node.func)}")
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
            found.append(f"{node.lineno}: os.environ[...]")
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            found.append(f"{node.lineno}: in os.environ")
    return found


def _is_environ(expr: ast.expr) -> bool:
    return (
        isinstance(expr, ast.Attribute)
        and expr.attr == "environ"
        or (isinstance(expr, ast.Name) and expr.id == "environ")
    )
