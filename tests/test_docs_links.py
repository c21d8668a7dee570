"""Every relative link in README.md and the docs site's pages points at a file that exists, so
moving a page cannot leave a link behind (`mkdocs build --strict` checks the site's own links
too, in `make docs`, but not the README's)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# [text](target) or [text](target "title"); code spans are cut out first, so a link shown as
# code in a page is not taken for one.
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:...


def relative_links(page: Path) -> list[str]:
    text = CODE.sub("", page.read_text(encoding="utf-8"))
    return [t for t in LINK.findall(text) if not EXTERNAL.match(t) and not t.startswith("#")]


def test_the_link_finder_sees_relative_links_and_skips_code_and_urls(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "[a](docs/a.md#part) [b](https://example.org) [c](#here) `[d](nope.md)` [e](x/y.md)\n"
    )
    assert relative_links(page) == ["docs/a.md#part", "x/y.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_an_existing_file(page: Path) -> None:
    missing = [
        link for link in relative_links(page) if not (page.parent / link.split("#", 1)[0]).exists()
    ]
    assert missing == [], f"{page.relative_to(ROOT)} links to files that do not exist: {missing}"


def test_the_readme_stays_short() -> None:
    assert len((ROOT / "README.md").read_bytes()) < 12_000
