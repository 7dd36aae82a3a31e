"""Loss curves as a small standalone SVG (no plotting library in the training stack)."""


def svg(series, title, width=640, height=320):
    """series: {name: [(step, value), ...]} -> SVG text with one polyline per series."""
    points = [p for values in series.values() for p in values]
    if not points:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>\n'
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    left, right, top, bottom = 56, 16, 28, 36
    def sx(x):
        return left + (x - x0) / (x1 - x0) * (width - left - right)
    def sy(y):
        return top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="16" font-size="13">{title}</text>',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#888"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#888"/>',
           f'<text x="{left - 4}" y="{sy(y1) + 4}" text-anchor="end">{y1:.3g}</text>',
           f'<text x="{left - 4}" y="{sy(y0) + 4}" text-anchor="end">{y0:.3g}</text>',
           f'<text x="{left}" y="{height - bottom + 14}">{x0}</text>',
           f'<text x="{width - right}" y="{height - bottom + 14}" text-anchor="end">step {x1}</text>']
    for i, (name, values) in enumerate(series.items()):
        if not values:
            continue
        c = colours[i % len(colours)]
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in values)
        out.append(f'<polyline fill="none" stroke="{c}" stroke-width="1.5" points="{pts}"/>')
        out.append(f'<text x="{width - right - 4}" y="{top + 14 * (i + 1)}" text-anchor="end" fill="{c}">{name}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
