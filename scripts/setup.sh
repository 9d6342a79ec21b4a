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

echo "== Akun demo (hanya untuk basis data demo ini)"
# The village with the most registry people, and the regions above it.
VILLAGE=$(awk -F, 'NR > 1 { gsub(/\./, "", $14); n[$14]++ } END { for (v in n) if (n[v] > best) { best = n[v]; code = v }; print code }' padu-data/registry.csv)
P2=${VILLAGE:0:2}; R2=${VILLAGE:2:2}; D2=${VILLAGE:4:2}; V4=${VILLAGE:6:4}
DESA="$P2.$R2.$D2.$V4"; KEC="$P2.$R2.$D2"; KAB="$P2.$R2"; PROV="$P2"
DEMO_PASSWORD="demo-padu-2026"
demo_user() { # username role region
  if ! "$PADU" user list | awk '{ print $2 }' | grep -qx "$1"; then
    PADU_PASSWORD="$DEMO_PASSWORD" "$PADU" user add "$1" --role "$2" --wilayah "$3" \
      --name "Demo $2" --phone "0812-0000-0000" --no-force-change > /dev/null
  fi
  printf '  %-12s %-20s %s\n' "$1" "$2" "$3"
}
echo "  pengguna     peran                wilayah            (kata sandi semua: $DEMO_PASSWORD)"
demo_user desa operator_desa "$DESA"
demo_user kecamatan operator_kecamatan "$KEC"
demo_user dinsos operator_dinsos "$KAB"
demo_user verifikator verifikator_dinsos "$KAB"
demo_user kepala kepala_dinsos "$KAB"
demo_user provinsi admin_provinsi "$PROV"
demo_user pusdatin pusdatin nasional
demo_user admin admin nasional

ADDR="${PADU_ADDR:-127.0.0.1:8080}"
echo
echo "Selesai. Hasil verifikasi: padu-data/hasil-verifikasi.xlsx; basis data: padu.db"
echo "Coba juga: $PADU stats --wilayah $KAB   |   $PADU nik 3276014501900001   |   $PADU --help"
echo
echo "== Menjalankan aplikasi web: buka http://$ADDR/ dan masuk dengan salah satu akun demo di atas"
exec "$PADU" serve --addr "$ADDR"
