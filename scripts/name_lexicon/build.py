"""jimu's table of Japanese personal names: ``.venv/bin/python -m scripts.name_lexicon.build``.

Writes ``ocr/lexicon/person_names.tsv`` (``姓``/``名``, written form, reading in katakana; one
name a line, sorted) from the person-name entries (名詞,固有名詞,人名,姓|名) of the IPA
dictionary, ``Noun.name.csv`` in Debian's ``mecab-ipadic`` package (EUC-JP). Without an
argument the package is fetched with ``apt-get download`` into a temporary folder (the
only step that needs the package mirror); ``--csv PATH`` reads a copy already at hand.

The dictionary was compiled by NAIST from newspaper text long before jimu and its sample
generator existed: it is an outside source for the names jimu reads, not a copy of the names
its benchmark writes. Its licence (BSD with the ICOT terms) is kept in ``ocr/lexicon/NOTICE``.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "ocr" / "lexicon" / "person_names.tsv"
MEMBER = "usr/share/mecab/dic/ipadic/Noun.name.csv"
PARTS = ("姓", "名")


def _fetch(folder: Path) -> Path:
    subprocess.run(["apt-get", "download", "mecab-ipadic"], cwd=folder, check=True)
    (deb,) = folder.glob("mecab-ipadic_*.deb")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(folder / "x")], check=True)
    return folder / "x" / MEMBER


def names(source: Path) -> list[tuple[str, str, str]]:
    """(part, written form, reading) of every 姓 and 名 entry, without repeats, sorted."""
    found: set[tuple[str, str, str]] = set()
    with source.open(encoding="euc_jp", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 12 and row[6] == "人名" and row[7] in PARTS:
                found.add((row[7], row[0], row[11]))
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="Noun.name.csv of mecab-ipadic (EUC-JP)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.csv or _fetch(Path(tmp))
        rows = names(source)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    print(f"{OUT}: {len(rows)} names")


if __name__ == "__main__":
    main()
