"""Render every notification template with its sample data into HTML files a person can open:
`python -m notifications.preview [out_dir]` (default `var/preview`), then open index.html."""

import html
import sys
from pathlib import Path

from notifications.render import Rendered, render, template_names
from notifications.samples import SAMPLE_TZ, sample_context

DEFAULT_OUT = Path("var/preview")


def _text_page(name: str, rendered: Rendered) -> str:
    return (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(name)} (text)</title>"
        f"<p><strong>Subject:</strong> {html.escape(rendered.subject)}</p>"
        f"<pre style='white-space:pre-wrap'>{html.escape(rendered.text)}</pre>"
    )


def _index(rows: list[tuple[str, str]]) -> str:
    items = "\n".join(
        f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(subject)}</td>"
        f"<td><a href='{name}.html'>HTML</a> · <a href='{name}.txt.html'>text</a></td></tr>"
        for name, subject in rows
    )
    return (
        "<!doctype html><meta charset='utf-8'><title>Notification previews</title>"
        "<body style='font-family:sans-serif;max-width:900px;margin:24px auto'>"
        f"<h1>Notification previews</h1><p>{len(rows)} templates, times shown in "
        f"{SAMPLE_TZ}.</p><table cellpadding='6'>"
        "<tr><th align='left'>template</th><th align='left'>subject</th><th></th></tr>"
        f"{items}</table></body>"
    )


def write_previews(out_dir: Path) -> list[Path]:
    """Writes `<name>.html`, `<name>.txt.html` per template and `index.html`; returns them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    rows: list[tuple[str, str]] = []
    for name in template_names():
        rendered = render(name, sample_context(name), SAMPLE_TZ)
        (out_dir / f"{name}.html").write_text(rendered.html, encoding="utf-8")
        (out_dir / f"{name}.txt.html").write_text(_text_page(name, rendered), encoding="utf-8")
        written += [out_dir / f"{name}.html", out_dir / f"{name}.txt.html"]
        rows.append((name, rendered.subject))
    index = out_dir / "index.html"
    index.write_text(_index(rows), encoding="utf-8")
    return [index, *written]


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    written = write_previews(out_dir)
    print(f"{(len(written) - 1) // 2} templates previewed; open {written[0].resolve()}")


if __name__ == "__main__":
    main()
