#!/usr/bin/env python3
"""Small synthetic fixture in Padu's interchange formats, for the Splink benchmark.

Stand-in until `padu gen` exists: writes DIR/civil.csv, DIR/registry.csv and
DIR/truth.csv with the columns of shared/spec/interchange.md. It is NOT Padu's
generator and makes no claim to its error mix; it only exercises every status,
flag and action so that run_splink.py and score.py can be tested end to end.

    python3 bench/splink/make_fixture.py DIR [--people 5000] [--seed 7]

Pure standard library. Deterministic for a given seed. All names and numbers are
synthetic (random combinations of common given names; NIKs built from real
region codes with random dates and serials).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WILAYAH = REPO / "crates" / "padu-core" / "data" / "wilayah" / "wilayah_2025.csv"

# Four regencies/cities of different kinds (city, regency, small regency, big city).
REGENCIES = ["32.76", "32.01", "17.03", "35.78"]

MALE = (
    "AGUS BUDI HERMAWAN SUTRISNO MUHAMMAD AHMAD RUDI JOKO SLAMET BAMBANG DEDI "
    "HENDRA IWAN WAHYU YUSUF RIZKY FAJAR ARIF EKO DWI ADI ANDI HADI SURYA "
    "TEGUH SUPRIYADI SUGENG KURNIAWAN NUGROHO SAPUTRA PRATAMA HIDAYAT "
    "RAHMAT SETIAWAN GUNAWAN FIRMANSYAH SYAHRUL ABDUL RAHMAN ISMAIL"
).split()
FEMALE = (
    "SITI SRI DEWI NURUL RINA YULI ENDANG WATI LESTARI RAHAYU PUTRI AYU "
    "INDAH FITRI NUR AINI KARTIKA MAYA WULANDARI SARI PURNAMASARI HANDAYANI "
    "SUSANTI KURNIASIH MARYAM AISYAH FATIMAH KHADIJAH RATNA DIAN NOVI "
    "YANTI TUTI SUMIATI PARTINI NINGSIH MULYANI ANGGRAINI"
).split()
STREETS = (
    "MERDEKA MAWAR MELATI KENANGA DAHLIA ANGGREK PAHLAWAN SUDIRMAN "
    "DIPONEGORO KARTINI RAYA MASJID PASAR PERINTIS SEMANGKA NANGKA"
).split()

CIVIL_COLS = [
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tgl_lahir",
    "nama_ibu_kandung",
    "alamat",
    "rt",
    "rw",
    "kode_wilayah",
    "status_hidup",
    "tgl_meninggal",
]
REG_COLS = [
    "id_art",
    "id_keluarga",
    "no_kk",
    "nik",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tgl_lahir",
    "hubungan_keluarga",
    "nama_ibu_kandung",
    "alamat",
    "rt",
    "rw",
    "kode_wilayah",
]
TRUTH_COLS = [
    "id_art",
    "status",
    "flags",
    "tindakan",
    "nik_usulan",
    "skor",
    "id_kelompok_ganda",
    "id_art_utama",
    "keterangan",
]
TODAY = dt.date(2026, 11, 1)


def load_villages() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Villages per regency and the short uppercase regency names."""
    villages: dict[str, list[str]] = {r: [] for r in REGENCIES}
    names: dict[str, str] = {}
    with open(WILAYAH, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["kode"]
            if code in villages:
                n = row["nama"].upper()
                for p in ("KABUPATEN ", "KOTA "):
                    n = n.removeprefix(p)
                names[code] = n
            elif len(code) == 13 and code[:5] in villages:
                villages[code[:5]].append(code)
    # Keep the fixture compact: a few dozen villages per regency.
    for r in villages:
        villages[r] = villages[r][:40]
    return villages, names


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.villages, self.regency_names = load_villages()
        self.used_nik: set[str] = set()
        self.kk_serial = 0

    def name(self, sex: str) -> str:
        pool = MALE if sex == "L" else FEMALE
        k = self.rng.choices([1, 2, 3], weights=[3, 5, 2])[0]
        return " ".join(self.rng.choice(pool) for _ in range(k))

    def nik(self, village: str, birth: dt.date, sex: str) -> str:
        district = village.replace(".", "")[:6]
        day = birth.day + (40 if sex == "P" else 0)
        while True:
            serial = self.rng.randint(1, 9999)
            n = f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
            if n not in self.used_nik:
                self.used_nik.add(n)
                return n

    def date_between(self, y0: int, y1: int) -> dt.date:
        start = dt.date(y0, 1, 1).toordinal()
        end = min(dt.date(y1, 12, 31), TODAY).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))

    def household(self, regency: str) -> list[dict]:
        rng = self.rng
        village = rng.choice(self.villages[regency])
        self.kk_serial += 1
        issued = self.date_between(2005, 2024)
        no_kk = f"{village.replace('.', '')[:6]}{issued:%d%m%y}{self.kk_serial % 10000:04d}"
        alamat = (
            f"JL. {rng.choice(STREETS)} NO. {rng.randint(1, 200)}"
            if rng.random() < 0.7
            else f"DUSUN {rng.choice(STREETS)}"
        )
        rt, rw = f"{rng.randint(1, 15):03d}", f"{rng.randint(1, 10):03d}"
        birthplace = self.regency_names[regency]

        def person(sex, birth, mother, rel):
            bp = birthplace if rng.random() < 0.8 else self.regency_names[rng.choice(REGENCIES)]
            return {
                "nik": self.nik(village, birth, sex),
                "no_kk": no_kk,
                "nama": self.name(sex),
                "jenis_kelamin": sex,
                "tempat_lahir": bp,
                "tgl_lahir": birth.isoformat(),
                "nama_ibu_kandung": mother,
                "alamat": alamat,
                "rt": rt,
                "rw": rw,
                "kode_wilayah": village,
                "status_hidup": "HIDUP",
                "tgl_meninggal": "",
                "hubungan_keluarga": rel,
                "regency": regency,
            }

        head_birth = self.date_between(1945, 1998)
        members = [person("L", head_birth, self.name("P"), "KEPALA KELUARGA")]
        if rng.random() < 0.85:
            wife_birth = self.date_between(head_birth.year - 2, min(head_birth.year + 8, 2000))
            wife = person("P", wife_birth, self.name("P"), "ISTRI/SUAMI")
            members.append(wife)
            for _ in range(rng.choice([0, 1, 2, 2, 3, 3, 4])):
                kid_birth = self.date_between(wife_birth.year + 19, wife_birth.year + 40)
                members.append(person(rng.choice("LP"), kid_birth, wife["nama"], "ANAK"))
        for m in members:
            age = (TODAY - dt.date.fromisoformat(m["tgl_lahir"])).days / 365.25
            if rng.random() < (0.12 if age > 65 else 0.01):
                m["status_hidup"] = "MENINGGAL"
                m["tgl_meninggal"] = self.date_between(2020, 2026).isoformat()
        return members


# ---- noise -----------------------------------------------------------------


def typo(rng: random.Random, s: str) -> str:
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.choice("sdtx")
    letters = "AIUEONRSTKMLGH"
    if op == "s":
        return s[:i] + rng.choice(letters) + s[i + 1 :]
    if op == "d":
        return s[:i] + s[i + 1 :]
    if op == "t":
        return s[: i - 1] + s[i] + s[i - 1] + s[i + 1 :]
    return s[:i] + rng.choice(letters) + s[i:]


def name_noise(rng: random.Random, name: str) -> str:
    kind = rng.choice(["typo", "typo", "abbr", "title", "spelling", "drop"])
    toks = name.split()
    if kind == "abbr" and "MUHAMMAD" in toks:
        return name.replace("MUHAMMAD", rng.choice(["M.", "MUH.", "MOCH."]), 1)
    if kind == "title":
        return rng.choice(["H. ", "HJ. ", ""]) + name + rng.choice([", S.PD", ", S.E", ""])
    if kind == "spelling":
        for a, b in (("U", "OE"), ("J", "DJ"), ("C", "TJ"), ("Y", "J")):
            if a in name:
                return name.replace(a, b, 1)
    if kind == "drop" and len(toks) > 2:
        return " ".join(toks[:-1])
    return typo(rng, name)


def digit_typo(rng: random.Random, nik: str) -> str:
    i = rng.randrange(6, 16)
    d = rng.choice([c for c in "0123456789" if c != nik[i]])
    return nik[:i] + d + nik[i + 1 :]


def excel_mangle(nik: str) -> str:
    return f"{nik[0]}.{nik[1:6]}E+15"


SEX = {"L": "L", "P": "P", "LAKI-LAKI": "L", "PEREMPUAN": "P", "1": "L", "2": "P"}


def parse_date(s: str) -> dt.date:
    return dt.datetime.strptime(s, "%d/%m/%Y").date() if "/" in s else dt.date.fromisoformat(s)


def fmt_date(rng: random.Random, iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return d.strftime("%d/%m/%Y") if rng.random() < 0.3 else iso


def norm_nik(raw: str) -> str:
    return "".join(c for c in raw.strip() if c not in " .-")


def known_prefixes() -> set[str]:
    """Province and regency codes (digits only) of every edition."""
    out = set()
    for name in ("wilayah_2025.csv", "wilayah_historis.csv"):
        with open(WILAYAH.parent / name, encoding="utf-8") as f:
            out |= {
                r["kode"].replace(".", "") for r in csv.DictReader(f) if len(r["kode"]) in (2, 5)
            }
    return out


KNOWN = known_prefixes()


def nik_parts(raw: str) -> tuple[dt.date, str] | None:
    """Birth date and sex a valid NIK encodes, None if the NIK is not valid
    (the spec's rules: 16 digits, known prefix, real date, serial not 0000)."""
    n = norm_nik(raw)
    if len(n) != 16 or not n.isdigit() or "E" in raw.upper() or n.startswith("99999999999999"):
        return None
    if n[:2] not in KNOWN or n[2:4] == "00" or n[:4] not in KNOWN or n[12:] == "0000":
        return None
    dd, mm, yy = int(n[6:8]), int(n[8:10]), int(n[10:12])
    day = dd - 40 if dd > 40 else dd
    for century in (2000, 1900):
        try:
            d = dt.date(century + yy, mm, day)
        except ValueError:
            continue
        if d <= TODAY:
            return d, ("P" if dd > 40 else "L")
    return None


def status_of(raw: str, civil_niks: set[str], true_nik: str | None) -> str:
    n = norm_nik(raw)
    if n == "" or (len(n) == 16 and n.startswith("99999999999999")):
        return "TANPA_NIK"
    if nik_parts(raw) is None:
        return "NIK_TIDAK_VALID"
    if n in civil_niks:
        return "PADAN" if n == true_nik else "TIDAK_PADAN"
    return "NIK_TIDAK_DITEMUKAN"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--people", type=int, default=5000, help="civil-registry size")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    g = Gen(a.seed)
    rng = g.rng

    households: list[list[dict]] = []
    n = 0
    while n < a.people:
        h = g.household(rng.choice(REGENCIES))
        households.append(h)
        n += len(h)
    civil = [p for h in households for p in h]
    civil_niks = {p["nik"] for p in civil}

    # People the registry knows but the civil extract does not (another
    # regency's extract, never registered): their NIKs are well-formed.
    ghosts = [g.household(rng.choice(REGENCIES)) for _ in range(len(households) // 40)]

    chosen = [h for h in households if rng.random() < 0.55]
    registry_people = []  # (person, in_civil, household index)
    for hi, h in enumerate(chosen + ghosts):
        in_civil = hi < len(chosen)
        for p in h:
            if rng.random() < 0.95:
                registry_people.append((p, in_civil, hi))
    in_registry = {id(p) for p, _, _ in registry_people}
    outsiders = [p["nik"] for p in civil if id(p) not in in_registry]

    # Some registry people moved to another regency since the registry was filled.
    civil_moved = {}
    for p, in_civil, _ in registry_people:
        if in_civil and rng.random() < 0.04:
            other = rng.choice([r for r in REGENCIES if r != p["regency"]])
            civil_moved[p["nik"]] = rng.choice(g.villages[other])

    rows = []  # registry rows with their hidden identity

    def make_row(p, in_civil, hi, dup=False):
        r = {k: p[k] for k in REG_COLS if k in p}
        r["id_keluarga"] = (
            f"K{hi + 1:06d}" if not dup or rng.random() < 0.5 else f"K{900000 + len(rows):06d}"
        )
        r["tgl_lahir"] = fmt_date(rng, p["tgl_lahir"])
        u = rng.random()
        if u < 0.06:
            r["nik"] = digit_typo(rng, p["nik"])
        elif u < 0.09 and outsiders:
            r["nik"] = rng.choice(outsiders)
        elif u < 0.14:
            r["nik"] = ""
        elif u < 0.16:
            r["nik"] = rng.choice(["9999999999999995", "9999999999999996"])
        elif u < 0.19:
            r["nik"] = excel_mangle(p["nik"])
        elif u < 0.21:
            r["nik"] = p["nik"][:15]
        if rng.random() < (0.5 if dup else 0.15):
            r["nama"] = name_noise(rng, p["nama"])
        if rng.random() < 0.05:
            r["nama_ibu_kandung"] = name_noise(rng, p["nama_ibu_kandung"])
        if rng.random() < 0.03:
            d = dt.date.fromisoformat(p["tgl_lahir"])
            if d.day <= 12 and d.day != d.month:
                d = dt.date(d.year, d.day, d.month)
            else:
                d = d.replace(year=d.year + rng.choice([-1, 1]), day=min(d.day, 28))
            r["tgl_lahir"] = fmt_date(rng, d.isoformat())
        if rng.random() < 0.03:
            # Other spellings the spec accepts for the same sex.
            r["jenis_kelamin"] = rng.choice(
                [{"L": "LAKI-LAKI", "P": "PEREMPUAN"}, {"L": "1", "P": "2"}]
            )[p["jenis_kelamin"]]
        rows.append({"row": r, "person": p, "in_civil": in_civil})

    for p, in_civil, hi in registry_people:
        make_row(p, in_civil, hi)
    for p, in_civil, hi in registry_people:
        if rng.random() < 0.04:
            make_row(p, in_civil, hi, dup=True)

    rng.shuffle(rows)
    for i, x in enumerate(rows):
        x["row"]["id_art"] = f"A{i + 1:07d}"

    # Duplicate groups: registry rows of the same person.
    by_person: dict[int, list[str]] = {}
    for x in rows:
        by_person.setdefault(id(x["person"]), []).append(x["row"]["id_art"])
    nik_of = {x["row"]["id_art"]: norm_nik(x["row"]["nik"]) for x in rows}
    true_of = {x["row"]["id_art"]: x["person"]["nik"] if x["in_civil"] else None for x in rows}
    group_of: dict[str, tuple[str, str]] = {}
    gno = 0
    for ids in by_person.values():
        if len(ids) > 1:
            gno += 1
            # Kept row: one carrying the true NIK first, then the smallest id_art.
            keep = min(ids, key=lambda i: (nik_of[i] != true_of[i], i))
            for i in ids:
                group_of[i] = (f"G{gno:06d}", keep)

    out = Path(a.out)
    os.makedirs(out, exist_ok=True)
    with open(out / "civil.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CIVIL_COLS)
        for p in civil:
            q = dict(p)
            if p["nik"] in civil_moved:
                q["kode_wilayah"] = civil_moved[p["nik"]]
            w.writerow([q[c] for c in CIVIL_COLS])
    with open(out / "registry.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(REG_COLS)
        for x in rows:
            w.writerow([x["row"].get(c, "") for c in REG_COLS])
    with open(out / "truth.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(TRUTH_COLS)
        for x in rows:
            r, p = x["row"], x["person"]
            true_nik = p["nik"] if x["in_civil"] else None
            status = status_of(r["nik"], civil_niks, true_nik)
            flags = []
            usulan = ""
            if true_nik:
                if p["status_hidup"] == "MENINGGAL":
                    flags.append("MENINGGAL")
                domicile = civil_moved.get(true_nik, p["kode_wilayah"])
                if domicile[:5] != r["kode_wilayah"][:5]:
                    flags.append("PINDAH")
                if norm_nik(r["nik"]) != true_nik:
                    usulan = true_nik
            grp, primary = group_of.get(r["id_art"], ("", ""))
            if grp:
                flags.append("GANDA")
            parts = nik_parts(r["nik"])
            row_date = parse_date(r["tgl_lahir"])
            row_sex = SEX[r["jenis_kelamin"]]
            if parts and (
                (parts[0].day, parts[0].month, parts[0].year % 100)
                != (row_date.day, row_date.month, row_date.year % 100)
                or parts[1] != row_sex
            ):
                flags.append("NIK_BEDA_IDENTITAS")
            differs = bool(true_nik) and (
                " ".join(r["nama"].upper().split()) != p["nama"]
                or row_date.isoformat() != p["tgl_lahir"]
                or row_sex != p["jenis_kelamin"]
            )
            flags.sort()
            if "MENINGGAL" in flags or "PINDAH" in flags or (grp and primary != r["id_art"]):
                action = "HAPUS"
            elif status != "PADAN" or usulan or "NIK_BEDA_IDENTITAS" in flags or differs:
                action = "PERBAIKI"
            else:
                action = "TETAP"
            w.writerow(
                [
                    r["id_art"],
                    status,
                    ";".join(flags),
                    action,
                    usulan,
                    "1" if true_nik else "",
                    grp,
                    primary,
                    "Data uji sintetis (fixture benchmark Splink).",
                ]
            )
    print(f"civil={len(civil)} registry={len(rows)} duplicate_groups={gno} -> {out}")


if __name__ == "__main__":
    main()
