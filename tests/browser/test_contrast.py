"""Text on the pages is readable: every rule of the stylesheet that sets both a text colour and a background
(the status badges, notices, buttons) reaches WCAG AA's 4.5:1 (the approved badge was 4.48:1, a pages probe ran
axe-core on it), and so does each text colour named on the page's own background."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

STYLESHEET = Path(__file__).resolve().parents[2] / "api" / "web" / "static" / "style.css"
CSS = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)  # comments aside
VARIABLES = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _colour(value: str) -> str | None:
    value = value.strip()
    if found := re.fullmatch(r"var\(--([a-z]+)\)", value):
        return VARIABLES.get(found[1])
    return value if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else {"#fff": "#ffffff"}.get(value)


def _luminance(hex_colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _pairs() -> list[tuple[str, str, str]]:
    pairs = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        found = re.findall(r"(?<![-\w])(color|background)\s*:\s*([^;]+)", body)
        declared = {k.strip(): v.strip() for k, v in found}
        text, ground = _colour(declared.get("color", "")), _colour(declared.get("background", ""))
        if text and ground:
            pairs.append((" ".join(selector.split()), text, ground))
    return pairs


def test_the_stylesheet_pairs_some_colours_and_backgrounds() -> None:
    assert len(_pairs()) >= 5 and VARIABLES["ok"] and VARIABLES["bad"]


@pytest.mark.parametrize(("selector", "text", "ground"), _pairs())
def test_text_on_its_own_background_is_readable(selector: str, text: str, ground: str) -> None:
    assert contrast(text, ground) >= 4.5, f"{selector}: {text} on {ground} is {contrast(text, ground):.2f}:1"


@pytest.mark.parametrize("name", ["ink", "muted", "accent", "ok", "bad"])
def test_each_text_colour_is_readable_on_white(name: str) -> None:
    assert contrast(VARIABLES[name], "#ffffff") >= 4.5
