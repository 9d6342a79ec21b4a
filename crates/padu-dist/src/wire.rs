//! Records as bytes, to travel with candidate pairs between tasks.
//!
//! Comparing a pair needs both records in one task, but the two sides are
//! read by different tasks (each reads its own row groups). A record
//! therefore travels as one binary value: its cells as the file held them
//! (numbers as their text, invalid ones raw, dates ISO), parsed again where
//! it arrives with the same `padu_core` parsers and the run's reference date,
//! so the record that arrives is the record that was read.

use chrono::NaiveDate;
use padu_core::{
    CivilPerson, IdField, LifeStatus, Nik, NoKk, RegionCode, RegistryPerson, Relation, Sex, Text,
};
use serde::{Deserialize, Serialize};

/// What can go wrong decoding a record: only bytes that were not encoded
/// here, since every encoded value parses again.
#[derive(Debug, thiserror::Error)]
#[error("rekaman terkirim rusak: {0}")]
pub struct WireError(String);

/// An identity number's cell: `None` for an empty cell, else its text.
type Cell = Option<String>;

fn id_cell<T: std::fmt::Display>(f: &IdField<T>) -> Cell {
    match f {
        IdField::Missing => None,
        other => Some(other.to_cell()),
    }
}

#[derive(Serialize, Deserialize)]
struct Civil {
    nik: String,
    no_kk: Cell,
    nama: Text,
    jenis_kelamin: String,
    tempat_lahir: Option<Text>,
    tgl_lahir: NaiveDate,
    nama_ibu_kandung: Option<Text>,
    alamat: Option<Text>,
    rt: Option<Text>,
    rw: Option<Text>,
    kode_wilayah: String,
    status_hidup: String,
    tgl_meninggal: Option<NaiveDate>,
}

#[derive(Serialize, Deserialize)]
struct Registry {
    id_art: Text,
    id_keluarga: Option<Text>,
    no_kk: Cell,
    nik: Cell,
    nama: Text,
    jenis_kelamin: String,
    tempat_lahir: Option<Text>,
    tgl_lahir: NaiveDate,
    hubungan_keluarga: Option<String>,
    nama_ibu_kandung: Option<Text>,
    alamat: Option<Text>,
    rt: Option<Text>,
    rw: Option<Text>,
    kode_wilayah: String,
    extra: Vec<(String, String)>,
}

fn bad(e: impl std::fmt::Display) -> WireError {
    WireError(e.to_string())
}

fn kk(cell: Option<String>) -> IdField<NoKk> {
    cell.map_or(IdField::Missing, |c| IdField::parse_kk(&c))
}

/// A civil resident as bytes.
pub fn encode_civil(c: &CivilPerson) -> Vec<u8> {
    let w = Civil {
        nik: c.nik.to_string(),
        no_kk: id_cell(&c.no_kk),
        nama: c.nama.clone(),
        jenis_kelamin: c.jenis_kelamin.as_str().to_string(),
        tempat_lahir: c.tempat_lahir.clone(),
        tgl_lahir: c.tgl_lahir,
        nama_ibu_kandung: c.nama_ibu_kandung.clone(),
        alamat: c.alamat.clone(),
        rt: c.rt.clone(),
        rw: c.rw.clone(),
        kode_wilayah: c.kode_wilayah.to_string(),
        status_hidup: c.status_hidup.as_str().to_string(),
        tgl_meninggal: c.tgl_meninggal,
    };
    serde_json::to_vec(&w).expect("plain strings and dates serialise")
}

/// The civil resident [`encode_civil`] encoded; `today` is the run's
/// reference date (it fixes a NIK's birth century).
pub fn decode_civil(bytes: &[u8], today: NaiveDate) -> Result<CivilPerson, WireError> {
    let w: Civil = serde_json::from_slice(bytes).map_err(bad)?;
    Ok(CivilPerson {
        nik: Nik::parse(&w.nik, today).map_err(bad)?,
        no_kk: kk(w.no_kk),
        nama: w.nama,
        jenis_kelamin: Sex::parse(&w.jenis_kelamin).map_err(bad)?,
        tempat_lahir: w.tempat_lahir,
        tgl_lahir: w.tgl_lahir,
        nama_ibu_kandung: w.nama_ibu_kandung,
        alamat: w.alamat,
        rt: w.rt,
        rw: w.rw,
        kode_wilayah: RegionCode::parse(&w.kode_wilayah).map_err(bad)?,
        status_hidup: LifeStatus::parse(&w.status_hidup).map_err(bad)?,
        tgl_meninggal: w.tgl_meninggal,
    })
}

/// A registry member as bytes.
pub fn encode_registry(r: &RegistryPerson) -> Vec<u8> {
    let w = Registry {
        id_art: r.id_art.clone(),
        id_keluarga: r.id_keluarga.clone(),
        no_kk: id_cell(&r.no_kk),
        nik: id_cell(&r.nik),
        nama: r.nama.clone(),
        jenis_kelamin: r.jenis_kelamin.as_str().to_string(),
        tempat_lahir: r.tempat_lahir.clone(),
        tgl_lahir: r.tgl_lahir,
        hubungan_keluarga: r.hubungan_keluarga.map(|h| h.as_str().to_string()),
        nama_ibu_kandung: r.nama_ibu_kandung.clone(),
        alamat: r.alamat.clone(),
        rt: r.rt.clone(),
        rw: r.rw.clone(),
        kode_wilayah: r.kode_wilayah.to_string(),
        extra: r.extra.clone(),
    };
    serde_json::to_vec(&w).expect("plain strings and dates serialise")
}

/// The registry member [`encode_registry`] encoded; `today` as in [`decode_civil`].
pub fn decode_registry(bytes: &[u8], today: NaiveDate) -> Result<RegistryPerson, WireError> {
    let w: Registry = serde_json::from_slice(bytes).map_err(bad)?;
    Ok(RegistryPerson {
        id_art: w.id_art,
        id_keluarga: w.id_keluarga,
        no_kk: kk(w.no_kk),
        nik: w
            .nik
            .map_or(IdField::Missing, |c| IdField::parse_nik(&c, today)),
        nama: w.nama,
        jenis_kelamin: Sex::parse(&w.jenis_kelamin).map_err(bad)?,
        tempat_lahir: w.tempat_lahir,
        tgl_lahir: w.tgl_lahir,
        hubungan_keluarga: w
            .hubungan_keluarga
            .map(|h| h.parse::<Relation>())
            .transpose()
            .map_err(bad)?,
        nama_ibu_kandung: w.nama_ibu_kandung,
        alamat: w.alamat,
        rt: w.rt,
        rw: w.rw,
        kode_wilayah: RegionCode::parse(&w.kode_wilayah).map_err(bad)?,
        extra: w.extra,
    })
}

/// The two fields of either side's record a same-day sample draws by.
#[derive(Deserialize)]
struct Birth {
    tgl_lahir: NaiveDate,
    jenis_kelamin: String,
}

/// The birth date and sex of a record of either side, without parsing the rest.
pub fn birth(bytes: &[u8]) -> Result<(NaiveDate, Sex), WireError> {
    let b: Birth = serde_json::from_slice(bytes).map_err(bad)?;
    Ok((b.tgl_lahir, Sex::parse(&b.jenis_kelamin).map_err(bad)?))
}

/// The name of a record of either side.
#[derive(Deserialize)]
struct Identity {
    nama: String,
}

/// The name of a record of either side, without parsing the rest.
pub fn name(bytes: &[u8]) -> Result<String, WireError> {
    let i: Identity = serde_json::from_slice(bytes).map_err(bad)?;
    Ok(i.nama)
}

/// The valid NIK of a civil record: its cell as [`encode_civil`] writes it,
/// parsed as [`decode_civil`] parses it, so that a table of NIKs alone
/// joins exactly as the encoded records would.
pub fn civil_nik(c: &CivilPerson, today: NaiveDate) -> Option<Nik> {
    Nik::parse(&c.nik.to_string(), today).ok()
}

/// The valid NIK of a registry record, null for a missing or invalid
/// cell: as [`civil_nik`], from the cell [`encode_registry`] writes.
pub fn registry_nik(r: &RegistryPerson, today: NaiveDate) -> Option<Nik> {
    id_cell(&r.nik).and_then(|c| Nik::parse(&c, today).ok())
}

/// A text field of a civil record by its interchange column name (`nama`,
/// `nama_ibu_kandung`, `kode_wilayah`, ...), `None` when the record has none.
pub fn civil_field(bytes: &[u8], field: &str) -> Result<Option<String>, WireError> {
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(bytes).map_err(bad)?;
    match fields.get(field) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(format!("kolom {field} bukan teks: {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use padu_testkit::generated::Generated;

    /// Every generated record, invalid numbers and all, arrives as it left.
    #[test]
    fn records_round_trip() {
        let Generated {
            civil, registry, ..
        } = Generated::new(5_000, 3);
        let today = padu_testkit::today();
        assert!(
            registry
                .iter()
                .any(|r| matches!(r.nik, IdField::Invalid(_))),
            "the sample has invalid NIKs"
        );
        for c in &civil {
            assert_eq!(&decode_civil(&encode_civil(c), today).unwrap(), c);
            assert_eq!(civil_nik(c, today), Some(c.nik));
            let bytes = encode_civil(c);
            assert_eq!(
                civil_field(&bytes, "nama").unwrap().as_deref(),
                Some(c.nama.as_str())
            );
            assert_eq!(
                civil_field(&bytes, "nama_ibu_kandung").unwrap().as_deref(),
                c.nama_ibu_kandung.as_deref()
            );
            assert_eq!(
                civil_field(&bytes, "kode_wilayah").unwrap(),
                Some(c.kode_wilayah.to_string())
            );
        }
        for r in &registry {
            assert_eq!(&decode_registry(&encode_registry(r), today).unwrap(), r);
            let bytes = encode_registry(r);
            assert_eq!(birth(&bytes).unwrap(), (r.tgl_lahir, r.jenis_kelamin));
            assert_eq!(name(&bytes).unwrap(), r.nama);
            assert_eq!(registry_nik(r, today), r.nik.valid());
        }
        assert!(decode_civil(b"{}", today).is_err());
    }
}
