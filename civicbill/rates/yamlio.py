"""Reading YAML with line numbers and exact numbers. Pure.

Rate files are read through PyYAML's composer, so every value keeps the line it came from: an error
names the key *and* the line. Numbers become ``Decimal`` from their text (never float); dates and
everything else that is not a number, boolean or null stay text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

Path = tuple[str | int, ...]


class YamlFileError(ValueError):
    """A file could not be read; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, message: str, *, line: int = 0, key: str = "") -> None:
        self.message = message
        self.line = line
        self.key = key
        where = f"line {line}: " if line else ""
        what = f"{key}: " if key else ""
        super().__init__(f"{where}{what}{message}")


@dataclass
class LocatedDocument:
    """Plain data (dict/list/str/Decimal/bool/None) plus the line of every path in it."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def path_text(path: Path) -> str:
    """``("classes", "RES", "charges", 0, "price")`` → ``classes.RES.charges[0].price``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag.rsplit(":", 1)[-1]
    if tag in ("int", "float"):
        text = node.value.replace("_", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return node.value
        return number if number.is_finite() else node.value
    if tag == "bool":
        return node.value.lower() in ("true", "yes", "on", "y")
    if tag == "null":
        return None
    return node.value


def _build(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), lines) for index, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlFileError("a key must be plain text", line=key_node.start_mark.line + 1)
            key = str(key_node.value)
            result[key] = _build(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    raise YamlFileError("unsupported YAML node", line=node.start_mark.line + 1)  # pragma: no cover


def load_located(text: str) -> LocatedDocument:
    """Parse YAML text; raise :class:`YamlFileError` with the line of a syntax error."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        problem = " ".join(part for part in (error.context, error.problem) if part)
        raise YamlFileError(f"not valid YAML ({problem})", line=line) from None
    except yaml.YAMLError as error:
        raise YamlFileError(f"not valid YAML ({error})") from None
    if root is None:
        raise YamlFileError("the file is empty", line=1)
    lines: dict[Path, int] = {}
    data = _build(root, (), lines)
    return LocatedDocument(data=data, lines=lines)
