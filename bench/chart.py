#!/usr/bin/env python3
"""Renders bench/results.csv (written by the bench binary) as an SVG bar chart of ops/s per
phase: dynamo-model and raw aws-sdk-dynamodb + serde_dynamo on DynamoDB Local (medians over
rounds). Standard library only. Usage: python3 bench/chart.py [results.csv] [chart.svg]"""

import csv
import statistics
import sys

source = sys.argv[1] if len(sys.argv) > 1 else "bench/results.csv"
target = sys.argv[2] if len(sys.argv) > 2 else "bench/chart.svg"

PHASES = ["put", "get", "query", "update", "batch_write", "concurrent_get"]
SIDES = [("dynamo_model", "dynamo-model", "#2b6cb0"), ("raw_sdk", "raw SDK + serde_dynamo", "#a0aec0")]

walls = {}
with open(source) as f:
    for row in csv.DictReader(f):
        walls.setdefault((row["side"], row["phase"]), []).append((int(row["ops"]), float(row["wall_s"])))

def ops_per_s(side, phase):
    runs = walls.get((side, phase), [])
    if not runs:
        return 0.0
    ops = runs[0][0]
    return ops / statistics.median(w for _, w in runs)

values = {(s, p): ops_per_s(s, p) for s, _, _ in SIDES for p in PHASES}
top = max(values.values()) or 1.0
width, height, left, bottom, top_margin = 760, 360, 70, 60, 40
plot_h = height - bottom - top_margin
group = (width - left - 20) / len(PHASES)
bar = group / (len(SIDES) + 1)

parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">Operations per second on DynamoDB Local (higher is better)</text>']
for tick in range(5):
    value = top * tick / 4
    y = height - bottom - plot_h * tick / 4
    parts.append(f'<line x1="{left}" y1="{y}" x2="{width - 20}" y2="{y}" stroke="#e2e8f0"/>')
    parts.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{value:,.0f}</text>')
for i, phase in enumerate(PHASES):
    x0 = left + i * group + bar / 2
    for j, (side, _, colour) in enumerate(SIDES):
        value = values[(side, phase)]
        h = plot_h * value / top
        x = x0 + j * bar
        y = height - bottom - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" fill="{colour}"/>')
        parts.append(f'<text x="{x + bar / 2 - 1:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="10">{value:,.0f}</text>')
    parts.append(f'<text x="{left + i * group + group / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle">{phase}</text>')
for j, (_, label, colour) in enumerate(SIDES):
    x = left + j * 220
    parts.append(f'<rect x="{x}" y="{height - 22}" width="12" height="12" fill="{colour}"/>')
    parts.append(f'<text x="{x + 18}" y="{height - 12}">{label}</text>')
parts.append("</svg>")
with open(target, "w") as f:
    f.write("\n".join(parts) + "\n")
print(f"wrote {target}")
