"""Replace one `## Section` of a Markdown file, keeping the rest: two benchmarks share verify.md."""

from __future__ import annotations

from pathlib import Path


def replace_section(path: Path, title: str, body: list[str]) -> None:
    """Write `## title` + body in place of the section of that title (appended if absent)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    head = f"## {title}"
    if head in lines:
        start = lines.index(head)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    else:
        start = end = len(lines)
        if lines and lines[-1].strip():
            lines.append("")
            start = end = len(lines)
    new = [head, "", *body]
    if end < len(lines):
        new.append("")
    path.write_text("\n".join(lines[:start] + new + lines[end:]).rstrip("\n") + "\n", encoding="utf-8")
