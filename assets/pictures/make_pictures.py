#!/usr/bin/env python3
"""Draws the product pictures (two USB keys) as PNGs, with nothing but the standard library.

The pictures are checked in; run this again only to change them:

    python3 assets/pictures/make_pictures.py assets/pictures/products

Each key is a rounded body with a USB plug, a brand stripe and a status light, drawn with 4x4
supersampling so the edges are smooth. 320x200 px, transparent background.
"""
import struct
import sys
import zlib
from pathlib import Path

W, H = 320, 200
SS = 4  # supersampling per axis


def rounded_rect(x, y, x0, y0, x1, y1, r):
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def circle(x, y, cx, cy, r):
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def make_key(body, stripe, light, shape):
    """Layers in drawing order: (inside(x, y), rgba)."""
    layers = []
    # soft shadow
    layers.append((lambda x, y: rounded_rect(x, y, 70, 46, 300, 176, 34), (0, 0, 0, 40)))
    # USB plug: metal shell and its two windows
    layers.append((lambda x, y: rounded_rect(x, y, 14, 78, 84, 132, 4), (0xB8, 0xBE, 0xC6, 255)))
    layers.append((lambda x, y: rounded_rect(x, y, 26, 92, 40, 102, 1), (0x5A, 0x62, 0x6C, 255)))
    layers.append((lambda x, y: rounded_rect(x, y, 26, 108, 40, 118, 1), (0x5A, 0x62, 0x6C, 255)))
    # body
    if shape == "round":
        layers.append((lambda x, y: rounded_rect(x, y, 64, 38, 292, 168, 50), body))
        # key ring hole
        layers.append((lambda x, y: circle(x, y, 258, 103, 17), (0, 0, 0, 0)))
    else:
        layers.append((lambda x, y: rounded_rect(x, y, 64, 40, 296, 166, 18), body))
        layers.append((lambda x, y: rounded_rect(x, y, 250, 88, 282, 118, 8), (0, 0, 0, 0)))
    # brand stripe and status light
    layers.append((lambda x, y: rounded_rect(x, y, 100, 64, 214, 80, 8), stripe))
    layers.append((lambda x, y: rounded_rect(x, y, 100, 92, 184, 102, 5), stripe))
    layers.append((lambda x, y: circle(x, y, 120, 138, 9), light))
    return layers


def render(layers):
    rows = []
    for py in range(H):
        row = bytearray([0])  # filter: none
        for px in range(W):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SS):
                for sx in range(SS):
                    x = px + (sx + 0.5) / SS
                    y = py + (sy + 0.5) / SS
                    rgba = (0, 0, 0, 0)
                    for inside, colour in layers:
                        if inside(x, y):
                            if colour[3] == 0:
                                rgba = (0, 0, 0, 0)  # a hole cuts through everything below
                            elif colour[3] == 255 or rgba[3] == 0:
                                rgba = colour
                    a = rgba[3] / 255.0
                    acc[0] += rgba[0] * a
                    acc[1] += rgba[1] * a
                    acc[2] += rgba[2] * a
                    acc[3] += a
            n = SS * SS
            alpha = acc[3] / n
            if alpha > 0:
                r, g, b = (acc[i] / acc[3] for i in range(3))
            else:
                r = g = b = 0
            row += bytes([round(r), round(g), round(b), round(alpha * 255)])
        rows.append(bytes(row))
    return b"".join(rows)


def png(path, raw):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", W, H, 8, 6, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    Path(path).write_bytes(data)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "products")
    out.mkdir(parents=True, exist_ok=True)
    # 海泰KEY: a deep blue rounded key; 飞天诚信KEY: a red squarer one.
    png(out / "haitai-key.png",
        render(make_key((0x1F, 0x5F, 0xB0, 255), (0xDD, 0xE9, 0xF7, 255), (0x3C, 0xD0, 0x70, 255), "round")))
    png(out / "feitian-key.png",
        render(make_key((0xC2, 0x3B, 0x22, 255), (0xFB, 0xE3, 0xDC, 255), (0xFF, 0xD2, 0x3C, 255), "square")))


if __name__ == "__main__":
    main()
