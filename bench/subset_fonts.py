"""Make the WOFF2 fonts of the public pages from the Lato TTFs the PDF renderer uses (run by hand; the output is
committed): the two weights the screen CSS uses (400 and 700, upright), each cut in two by Unicode range as web
font services do, so a page in English or Spanish loads only the Latin file and a Polish or Czech name pulls in
the Latin Extended one as well. Then prints the metric overrides of the fallback faces in
static/portal/screen/portal.css, for the local fonts installed here (text keeps its width when Lato swaps in).

    .venv/bin/python bench/subset_fonts.py            # writes static/portal/fonts/*.woff2, prints sizes

Needs fonttools and brotli (requirements.txt, development). Lato is under the SIL Open Font License: OFL.txt goes
with the files.
"""

import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "static" / "editorial" / "fonts"
TARGET = ROOT / "static" / "portal" / "fonts"
WEIGHTS = {"Regular": 400, "Bold": 700}
# The "latin" and "latin-ext" ranges of the common web font services: the same unicode-range goes into the CSS.
RANGES = {
    "latin": "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, "
             "U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD",
    "latin-ext": "U+0100-02BA, U+02BD-02C5, U+02C7-02CC, U+02CE-02D7, U+02DD-02FF, U+0304, U+0308, U+0329, "
                 "U+1D00-1DBF, U+1E00-1E9F, U+1EF2-1EFF, U+2020, U+20A0-20AB, U+20AD-20C0, U+2113, U+2C60-2C7F, "
                 "U+A720-A7FF",
}
# What the pages need of OpenType layout: kerning and the standard ligatures, marks for accented capitals, and
# the features browsers apply by default; no small caps, old-style figures or discretionary ligatures.
FEATURES = ["kern", "liga", "clig", "calt", "ccmp", "locl", "mark", "mkmk", "rlig"]
# Text to compare widths with (sample of what the portal prints), for the fallback's size-adjust.
SAMPLE = ("Cluster policy in Mexico: the ECCP country factsheet of the 2023 edition. National and regional cluster "
          "programmes, objectives, beneficiaries, financial and technical instruments, budgets and evaluation. "
          "Supporting internationalisation activities; fostering innovation; Nuevo León, Jalisco, Querétaro 2020.")
FALLBACKS = {  # the local fonts a reader's device may substitute (by weight), and where Debian installs each
    "Arial (Liberation Sans, its metric twin)": {
        "Regular": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        "Bold": "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"},
    "Roboto": {"Regular": "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Regular.ttf",
               "Bold": "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf"},
    "DejaVu Sans": {"Regular": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                    "Bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"},
}


def unicodes(ranges: str) -> list[int]:
    return subset.parse_unicodes(ranges.replace(" ", ""))


def make(weight: str, name: str, ranges: str) -> Path:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = FEATURES
    options.hinting = False  # modern browsers rasterise unhinted outlines well; a third of the bytes
    options.desubroutinize = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # the copyright and licence fields the OFL asks to keep
    font = TTFont(SOURCE / f"Lato-{weight}.ttf", recalcTimestamp=False)  # the same bytes on every run
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes(ranges))
    subsetter.subset(font)
    out = TARGET / f"Lato-{weight}-{name}.woff2"
    font.flavor = "woff2"
    font.save(out)
    return out


def width(path: str, text: str) -> float:
    """Advance width of the text in em (no kerning): what decides where lines wrap."""
    font = TTFont(path)
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    units = sum(metrics[cmap[ord(c)]][0] for c in text if ord(c) in cmap)
    return units / font["head"].unitsPerEm


def overrides() -> None:
    for weight in WEIGHTS:
        lato = TTFont(SOURCE / f"Lato-{weight}.ttf")
        os2, em = lato["OS/2"], lato["head"].unitsPerEm
        lato_width = width(str(SOURCE / f"Lato-{weight}.ttf"), SAMPLE)
        for family, paths in FALLBACKS.items():
            path = paths[weight]
            if not Path(path).exists():
                print(f"  {family} {weight}: {path} not installed, skipped")
                continue
            scale = lato_width / width(path, SAMPLE)
            # Lato sets USE_TYPO_METRICS: browsers take its ascent, descent and line gap from the typo values.
            # The overrides apply to the adjusted size, hence the division by the scale.
            print(f"  {family} {weight}: size-adjust: {scale * 100:.2f}%; "
                  f"ascent-override: {os2.sTypoAscender / em / scale * 100:.2f}%; "
                  f"descent-override: {-os2.sTypoDescender / em / scale * 100:.2f}%; "
                  f"line-gap-override: {os2.sTypoLineGap / em / scale * 100:.2f}%;")


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    for weight in WEIGHTS:
        for name, ranges in RANGES.items():
            out = make(weight, name, ranges)
            print(f"{out.relative_to(ROOT)}: {out.stat().st_size:,} bytes")
    shutil.copyfile(SOURCE / "OFL.txt", TARGET / "OFL.txt")
    print("Fallback metric overrides (portal.css):")
    overrides()
    return 0


if __name__ == "__main__":
    sys.exit(main())
