"""HTML pieces of the report page: embedded images, readable tables, the template."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

TEMPLATES = Path(__file__).parents[1] / "templates"


def img(path: str | Path, alt: str) -> str:
    """An <img> with the PNG embedded as a data URI (the page needs no other file)."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


_NUMERIC_CELL = re.compile(r"<td>((?:&lt;)?[−\-–]?[\d.,\s%]*\d[\d.,\s%]*|–|×|inf|True|False)</td>")


_SNAKE = re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$")
_PATH = re.compile(r"<td>([\w./-]+\.(?:csv|xlsx|yaml|yml|txt|lock))</td>")


def humanise(text: object) -> object:
    """'rows_in' -> 'Rows in' for a column name; anything else unchanged."""
    if isinstance(text, str) and _SNAKE.match(text):
        words = text.replace("_", " ")
        return words[0].upper() + words[1:]
    return text


# a config path in running text ('used in multiverse.predictor_sets.core')
_CONFIG_PATH = re.compile(
    r"(?<![\w/<])([a-z][a-z0-9]*(?:_[a-z0-9]+)*(?:\.[a-z0-9]+(?:_[a-z0-9]+)*)+)"
)
_QUOTED_KEY = re.compile(r"(?:&#x27;|&#39;|')([a-z][a-z0-9]*(?:[_.][a-z0-9]+)+)(?:&#x27;|&#39;|')")


def table(
    frame: pd.DataFrame, index: bool = False, classes: str = "", code: tuple[str, ...] = ()
) -> str:
    """A readable HTML table: headers and coded values in words (snake_case names as words),
    file names as code, text left-aligned, numeric cells right-aligned (class `num`). The
    cells of the `code` columns, and config keys quoted in any cell ('time_gt_6m'), are
    shown as code: they name what the user types."""
    as_code = {humanise(c) for c in code}
    frame = frame.rename(columns=humanise)
    frame = frame.apply(
        lambda col: (
            col.map(lambda v: v.replace("_", " ") if isinstance(v, str) and _SNAKE.match(v) else v)
            if (col.dtype == object or pd.api.types.is_string_dtype(col))
            and col.name not in as_code
            else col
        )
    )
    for name in as_code & set(frame.columns):  # marked here, made code after escaping
        frame[name] = [f"\x01{v}\x02" for v in frame[name]]
    out = frame.to_html(
        index=index,
        border=0,
        classes=f"tbl {classes}".strip(),
        na_rep="–",
        escape=True,
        float_format=lambda x: f"{x:,.2f}",
    )
    out = _PATH.sub(r"<td><code>\1</code></td>", out)
    out = out.replace("\x01", "<code>").replace("\x02", "</code>")
    out = _QUOTED_KEY.sub(r"<code>\1</code>", out)
    out = _CONFIG_PATH.sub(lambda m: f"<code>{m[1]}</code>" if "_" in m[1] else m[1], out)
    return _NUMERIC_CELL.sub(r'<td class="num">\1</td>', out)


def render(context: Mapping[str, Any]) -> str:
    """The report page from its template and `context`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2").render(**context)
