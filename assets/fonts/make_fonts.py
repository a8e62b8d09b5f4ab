#!/usr/bin/env python3
"""Build-time font subsets for the kiosk (run by CMake; needs only the standard library and pyftsubset).

  make_fonts.py start    --pyftsubset P --font TTC --index N --out kiosk-start.otf --chars-out start.txt --i18n I18N.json...
  make_fonts.py extended --pyftsubset P --font TTC --index N --out kiosk-extended.otf

start:    exactly the characters of the language files' values, plus printable ASCII. Loaded before the first
          frame (ImGui 1.86 reads a whole font file per size; Noto Sans CJK's 19.5 MB took ~57 ms each).
extended: the CJK Unified Ideographs block (U+4E00-U+9FFF, which holds the 8,105 characters of the
          通用规范汉字表 that lie in the BMP), GB 2312's symbols and kana, Latin-1, general and CJK
          punctuation, full-width forms and printable ASCII. It does not depend on the language files, so
          editing them does not re-make it (~30 s). Characters of names on certificates, products
          and profiles are merged from it into the atlas between frames.
"""
import argparse
import json
import os
import subprocess
import sys


def ui_chars(files):
    chars = set(chr(c) for c in range(0x20, 0x7F))
    for path in files:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for value in data.values():
            if isinstance(value, str):
                chars.update(c for c in value if ord(c) >= 0x20)
    return chars


def gb2312_chars():
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def extended_chars():
    chars = set(chr(c) for c in range(0x20, 0x7F))
    chars.update(chr(c) for c in range(0x4E00, 0xA000))  # CJK Unified Ideographs
    chars.update(chr(c) for c in range(0x00A0, 0x0180))  # Latin-1, Latin Extended-A (names in pinyin)
    chars.update(chr(c) for c in range(0x2000, 0x2070))  # general punctuation
    chars.update(chr(c) for c in range(0x3000, 0x3040))  # CJK punctuation
    chars.update(chr(c) for c in range(0xFF00, 0xFFF0))  # full-width forms
    chars.update(gb2312_chars())
    return chars


def subset(pyftsubset, font, index, chars, out):
    # ImGui 1.86 has 16-bit characters: nothing beyond the BMP could be drawn anyway.
    listing = out + ".unicodes"
    with open(listing, "w", encoding="ascii") as f:
        f.write("\n".join("U+%04X" % ord(c) for c in sorted(chars) if ord(c) <= 0xFFFF))
    cmd = [pyftsubset, font, "--font-number=%d" % index, "--unicodes-file=" + listing, "--output-file=" + out,
           "--layout-features=", "--no-hinting", "--notdef-outline", "--name-IDs=*", "--drop-tables+=DSIG"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    os.remove(listing)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.exit("pyftsubset failed for " + out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["start", "extended"])
    ap.add_argument("--pyftsubset", required=True)
    ap.add_argument("--font", required=True)
    ap.add_argument("--index", type=int, default=2)  # Noto Sans CJK SC in NotoSansCJK-Regular.ttc
    ap.add_argument("--out", required=True)
    ap.add_argument("--chars-out")
    ap.add_argument("--i18n", nargs="+", default=[])
    a = ap.parse_args()
    if a.mode == "start":
        if not a.i18n:
            sys.exit("start: give the language files")
        start = ui_chars(a.i18n)
        subset(a.pyftsubset, a.font, a.index, start, a.out)
        if a.chars_out:
            with open(a.chars_out, "w", encoding="utf-8") as f:
                f.write("".join(sorted(start)))
    else:
        subset(a.pyftsubset, a.font, a.index, extended_chars(), a.out)


if __name__ == "__main__":
    main()
