"""The weekly chart's page labels stay inside their box, on screen at 1280 px and in print.

Drawn by headless Chromium (skipped where it is not installed; CI installs Debian's
``chromium``). A copy of the report gets a script (the report's own CSP forbids scripts)
that measures every label of the weekly chart and writes what overflows into the DOM.
Print is emulated with the report's print CSS applied to the screen (``@media print`` →
``@media all``) at the width of an A4 page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gospages.reports import render_html
from gospages.reports._charts import wrap_label
from gospages.requirements import AuditReport

from ._report_data import build_report
from .test_reports_browser import CHROMIUM, chromium

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium не установлен (apt-get install -y chromium)"
)

LONG = (
    "Администрация муниципального образования «Усть-Удинский район» Иркутской области",
    "Дума муниципального образования «Усть-Удинский район» Иркутской области седьмого созыва",
    "Муниципальное бюджетное общеобразовательное учреждение «Усть-Удинская средняя "
    "общеобразовательная школа № 2 имени Героя Советского Союза»",
    "Межпоселенческая центральная библиотека",
)

#: Measures every `.row-label` of the weekly chart (the last SVG) against its box: the
#: chart's left edge and the start of its plot (the first week's grid line).
PROBE = """
<script>
window.addEventListener("load", () => {
  const svgs = document.querySelectorAll("svg.chart");
  const svg = svgs[svgs.length - 1];
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  const plot = box.left + 440 * scale;
  const bad = [];
  const labels = svg.querySelectorAll("text.row-label");
  for (const label of labels) {
    const r = label.getBoundingClientRect();
    if (r.left < box.left - 0.5 || r.right > plot + 0.5)
      bad.push([label.textContent, Math.round(r.left - box.left), Math.round(r.right - plot)]);
  }
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({
    labels: labels.length, bad: bad, svgRight: box.right, viewport: window.innerWidth,
  });
  document.body.appendChild(out);
});
</script>
"""


@pytest.fixture(scope="module")
def report() -> AuditReport:
    report = build_report()
    pages = []
    for i, audit in enumerate(report.pages):
        org = audit.org.model_copy(update={"name": LONG[i % len(LONG)]})  # type: ignore[union-attr]
        pages.append(audit.model_copy(update={"org": org}))
    return report.model_copy(update={"pages": pages})


def measure(html: str, tmp: Path, *, width: int, print_css: bool) -> dict[str, object]:
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    if print_css:
        assert "@media print" in html
        html = html.replace("@media print", "@media all")
    path = tmp / f"probe-{width}-{print_css}.html"
    path.write_text(html.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    done = chromium(
        tmp,
        f"--window-size={width},2000",
        "--virtual-time-budget=5000",
        "--dump-dom",
        path.as_uri(),
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("width", "print_css"),
    [(1280, False), (718, True)],  # 718 px: A4 (210 mm) less Chromium's print margins
    ids=["screen-1280", "print-a4"],
)
def test_no_label_overflows_its_box(
    report: AuditReport, tmp_path: Path, width: int, print_css: bool
) -> None:
    html = render_html(report)
    result = measure(html, tmp_path, width=width, print_css=print_css)
    assert result["labels"] == len(report.pages)
    assert result["bad"] == []
    assert float(result["svgRight"]) <= float(result["viewport"])  # type: ignore[arg-type]
    # Nothing is lost: each row's tooltip holds the whole name.
    for name in LONG:
        assert f"<title>{name}" in html


def test_the_probe_catches_a_label_that_overflows(report: AuditReport, tmp_path: Path) -> None:
    """The check above can fail: the old one-line label of a long name sticks out on the left."""
    html = render_html(report)
    first = wrap_label(LONG[0], 416 / 13)[0]
    html = html.replace(f">{first}</tspan>", f">{LONG[0]} {LONG[0]}</tspan>", 1)
    result = measure(html, tmp_path, width=1280, print_css=False)
    assert len(result["bad"]) == 1  # type: ignore[arg-type]


def test_long_names_are_wrapped_not_cut_when_they_fit() -> None:
    lines = wrap_label(LONG[0], 416 / 13, tail=" · ВК")
    assert len(lines) == 2 and " ".join(lines) == LONG[0] + " · ВК"
    lines = wrap_label(LONG[2] * 2, 416 / 13, tail=" · ОК")
    assert len(lines) == 2 and lines[1].endswith("… · ОК")
