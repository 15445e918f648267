"""The experiment's curves as one SVG, without plotting libraries: (a) held-out bits per byte
against training bytes, mean over seeds; (b) each model minus the first (the baseline), seed by
seed (the runs are paired), mean with the band from the smallest to the largest seed."""
import math
from xml.sax.saxutils import escape

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 480, 300, 64, 16, 28, 44


def round_ticks(lo, hi, count=5):
    """About `count` ticks at 1, 2 or 5 times a power of ten covering [lo, hi]."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1) * 1e-3
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    ticks, t = [], first
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 12))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks


def label(value):
    """A tick's text: millions with M (training bytes), else the shortest form."""
    return f"{value / 1e6:g}M" if abs(value) >= 1e5 else f"{value:g}"


def panel(x0, title, xlabel, ylabel, series, bands, colours, zero=False):
    """One plot at horizontal offset x0: series {name: [(x, y)]}, bands {name: [(x, lo, hi)]},
    a colour per name, and with `zero` a dark line at y = 0."""
    xs = [x for points in series.values() for x, _ in points]
    ys = [y for points in series.values() for _, y in points] + [v for b in bands.values() for _, lo, hi in b for v in (lo, hi)]
    xt, yt = round_ticks(min(xs), max(xs)), round_ticks(min(ys), max(ys))
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x):
        return x0 + LEFT + (x - xt[0]) / (xt[-1] - xt[0]) * w

    def py(y):
        return TOP + h - (y - yt[0]) / (yt[-1] - yt[0]) * h

    out = [f'<text x="{x0 + LEFT + w / 2}" y="16" text-anchor="middle" font-size="13">{escape(title)}</text>',
           f'<rect x="{x0 + LEFT}" y="{TOP}" width="{w}" height="{h}" fill="none" stroke="#444"/>']
    for t in xt:
        out.append(f'<line x1="{px(t):.1f}" y1="{TOP + h}" x2="{px(t):.1f}" y2="{TOP + h + 4}" stroke="#444"/>'
                   f'<text x="{px(t):.1f}" y="{TOP + h + 16}" text-anchor="middle" font-size="10">{label(t)}</text>')
    for t in yt:
        out.append(f'<line x1="{x0 + LEFT - 4}" y1="{py(t):.1f}" x2="{x0 + LEFT + w}" y2="{py(t):.1f}" stroke="#ddd"/>'
                   f'<text x="{x0 + LEFT - 6}" y="{py(t) + 3:.1f}" text-anchor="end" font-size="10">{label(t)}</text>')
    out.append(f'<text x="{x0 + LEFT + w / 2}" y="{HEIGHT - 8}" text-anchor="middle" font-size="11">{escape(xlabel)}</text>')
    out.append(f'<text x="{x0 + 14}" y="{TOP + h / 2}" text-anchor="middle" font-size="11" '
               f'transform="rotate(-90 {x0 + 14} {TOP + h / 2})">{escape(ylabel)}</text>')
    if zero:
        out.append(f'<line x1="{x0 + LEFT}" y1="{py(0):.1f}" x2="{x0 + LEFT + w}" y2="{py(0):.1f}" stroke="#444"/>')
    for i, (name, points) in enumerate(series.items()):
        colour = colours[name]
        if name in bands:
            b = bands[name]
            ring = [(px(x), py(hi)) for x, _, hi in b] + [(px(x), py(lo)) for x, lo, _ in reversed(b)]
            out.append(f'<polygon points="{" ".join(f"{a:.1f},{c:.1f}" for a, c in ring)}" fill="{colour}" '
                       f'fill-opacity="0.15" stroke="none"/>')
        out.append(f'<polyline points="{" ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)}" fill="none" '
                   f'stroke="{colour}" stroke-width="1.5"><title>{escape(name)}</title></polyline>')
        out.append(f'<rect x="{x0 + LEFT + w - 108}" y="{TOP + 8 + 15 * i}" width="10" height="3" fill="{colour}"/>'
                   f'<text x="{x0 + LEFT + w - 94}" y="{TOP + 13 + 15 * i}" font-size="10">{escape(name)}</text>')
    return out


def curves_svg(results):
    """results: {model: [{"curve": [{"tokens", "heldout_bpb"}, ...]}, ...] per seed}, the first
    model being the baseline of panel (b)."""
    def mean(values):
        return sum(values) / len(values)

    names = list(results)
    base = names[0]
    steps = [p["tokens"] for p in results[base][0]["curve"]]
    series = {n: [(t, mean([r["curve"][i]["heldout_bpb"] for r in runs])) for i, t in enumerate(steps)]
              for n, runs in results.items()}
    deltas, bands = {}, {}
    for n in names[1:]:
        per_step = [[r["curve"][i]["heldout_bpb"] - b["curve"][i]["heldout_bpb"] for r, b in zip(results[n], results[base])]
                    for i in range(len(steps))]
        deltas[n] = [(t, mean(d)) for t, d in zip(steps, per_step)]
        bands[n] = [(t, min(d), max(d)) for t, d in zip(steps, per_step)]
    colours = {n: COLOURS[i % len(COLOURS)] for i, n in enumerate(names)}
    body = panel(0, "(a) held-out bits per byte, mean over seeds", "training bytes", "bits per byte", series, {}, colours)
    body += panel(WIDTH, f"(b) minus {base}, paired by seed (band: seed range)", "training bytes", "Δ bits per byte",
                  deltas, bands, colours, zero=True)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {2 * WIDTH} {HEIGHT}" font-family="sans-serif">\n'
            f'<rect width="{2 * WIDTH}" height="{HEIGHT}" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")
