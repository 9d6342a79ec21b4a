#!/usr/bin/env bash
# Padu's set-up command: builds Padu and runs its main job on the embedded default
# (SQLite file padu.db, bundled region codes, generated sample data).
set -euo pipefail
cd "$(dirname "$0")/.."

PEOPLE="${PADU_SAMPLE_PEOPLE:-100000}"

echo "== Membangun Padu (cargo build --release)"
cargo build --release --locked -p padu-cli
PADU=target/release/padu

echo "== Membuat data contoh sintetis: $PEOPLE penduduk (padu gen)"
"$PADU" gen --people "$PEOPLE" --seed 42 --out padu-data

echo "== Mengimpor data Dukcapil contoh ke padu.db"
"$PADU" import civil padu-data/civil.csv

echo "== Mengimpor data DTKS contoh ke padu.db"
"$PADU" import registry padu-data/registry.csv

echo "== Ringkasan data"
"$PADU" stats

echo "== Verifikasi DTKS terhadap Dukcapil"
"$PADU" verify --out padu-data/hasil-verifikasi.xlsx

echo
echo "Selesai. Hasil verifikasi: padu-data/hasil-verifikasi.xlsx; basis data: padu.db"
echo "Coba: $PADU stats --wilayah 32.76   |   $PADU nik 3276014501900001   |   $PADU --help"
