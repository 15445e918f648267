"""The experiment's SVG: well-formed, one curve per model and panel, round tick labels, and
panel (b) the paired differences."""
import xml.etree.ElementTree as ET

import pytest

from dagmoe.plot import curves_svg, label, round_ticks

SVG = "{http://www.w3.org/2000/svg}"


def run(values):
    return {"curve": [{"tokens": 4096 * (i + 1), "heldout_bpb": v} for i, v in enumerate(values)]}


@pytest.mark.parametrize("lo,hi,want", [(0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), (3.52, 3.9, [3.5, 3.6, 3.7, 3.8, 3.9]),
                                        (4096, 2_000_000, [0, 500_000, 1_000_000, 1_500_000, 2_000_000])])
def test_round_ticks_cover_the_range(lo, hi, want):
    assert round_ticks(lo, hi) == pytest.approx(want)


def test_labels():
    assert [label(v) for v in (0, 1_500_000, 2_000_000, 3.55, -0.02)] == ["0", "1.5M", "2M", "3.55", "-0.02"]


def test_curves_svg_has_both_panels():
    results = {"ws": [run([4.0, 3.6, 3.5]), run([4.1, 3.7, 3.6])],
               "dag": [run([3.9, 3.5, 3.45]), run([4.0, 3.6, 3.58])]}
    root = ET.fromstring(curves_svg(results))
    lines = root.findall(f"{SVG}polyline")
    assert [line.find(f"{SVG}title").text for line in lines] == ["ws", "dag", "dag"]
    assert len(root.findall(f"{SVG}polygon")) == 1  # the seed band of dag − ws
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert "(b) minus ws, paired by seed (band: seed range)" in labels
    assert all(len(t) <= 6 for t in labels if t and t[0].isdigit())  # round ticks, no float noise
    # dag − ws is -0.1, -0.1, -0.05 then -0.1, -0.1, -0.02: the mean line ends at -0.035.
    last = lines[2].get("points").split()[-1].split(",")
    ys = sorted({float(p.split(",")[1]) for line in lines[2:] for p in line.get("points").split()})
    assert float(last[1]) == min(ys)  # the largest value sits highest
