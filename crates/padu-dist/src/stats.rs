//! The civil statistics as a file, the broadcast every key task reads.
//!
//! A compact binary layout (a national table holds tens of millions of
//! attribute counts, too many for JSON or for a plan message): `PADUSTAT`,
//! a version byte, the village count, each village as its 10-digit code and
//! residents, the attribute count, each attribute as `u64` attribute, `u64`
//! province and `u32` residents; little-endian throughout.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use datafusion::common::{DataFusionError, Result};
use padu_core::RegionCode;
use padu_match::partition::CivilDensity;

const MAGIC: &[u8; 8] = b"PADUSTAT";
const VERSION: u8 = 1;

/// Writes `d` to `path`.
pub fn write(path: &Path, d: &CivilDensity) -> Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    w.write_all(MAGIC)?;
    w.write_all(&[VERSION])?;
    w.write_all(
        &u64::try_from(d.villages.len())
            .unwrap_or(u64::MAX)
            .to_le_bytes(),
    )?;
    for (code, n) in &d.villages {
        w.write_all(code.compact().as_bytes())?;
        w.write_all(&n.to_le_bytes())?;
    }
    w.write_all(
        &u64::try_from(d.attributes.len())
            .unwrap_or(u64::MAX)
            .to_le_bytes(),
    )?;
    for (a, p, n) in &d.attributes {
        w.write_all(&a.to_le_bytes())?;
        w.write_all(&p.to_le_bytes())?;
        w.write_all(&n.to_le_bytes())?;
    }
    w.flush()?;
    Ok(())
}

/// Reads a file written by [`write()`].
pub fn read(path: &Path) -> Result<CivilDensity> {
    let bad = |what: &str| {
        DataFusionError::Execution(format!("berkas statistik {} rusak: {what}", path.display()))
    };
    let mut r = BufReader::new(std::fs::File::open(path)?);
    let mut magic = [0u8; 9];
    r.read_exact(&mut magic)?;
    if &magic[..8] != MAGIC || magic[8] != VERSION {
        return Err(bad("bukan statistik Padu versi ini"));
    }
    let mut u64b = [0u8; 8];
    let mut u32b = [0u8; 4];
    let mut code = [0u8; 10];
    r.read_exact(&mut u64b)?;
    let villages = usize::try_from(u64::from_le_bytes(u64b)).map_err(|_| bad("jumlah desa"))?;
    let mut out = CivilDensity {
        attributes: Vec::new(),
        villages: Vec::with_capacity(villages),
    };
    for _ in 0..villages {
        r.read_exact(&mut code)?;
        r.read_exact(&mut u32b)?;
        let text = std::str::from_utf8(&code).map_err(|_| bad("kode wilayah"))?;
        let c = RegionCode::parse(text).map_err(|_| bad("kode wilayah"))?;
        out.villages.push((c, u32::from_le_bytes(u32b)));
    }
    r.read_exact(&mut u64b)?;
    let attributes =
        usize::try_from(u64::from_le_bytes(u64b)).map_err(|_| bad("jumlah atribut"))?;
    out.attributes.reserve(attributes);
    for _ in 0..attributes {
        r.read_exact(&mut u64b)?;
        let a = u64::from_le_bytes(u64b);
        r.read_exact(&mut u64b)?;
        let p = u64::from_le_bytes(u64b);
        r.read_exact(&mut u32b)?;
        out.attributes.push((a, p, u32::from_le_bytes(u32b)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_round_trip_and_a_foreign_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.bin");
        let d = CivilDensity {
            attributes: vec![(1, 0, 5), (1, 32, 3), (u64::MAX, 35, 2)],
            villages: vec![(RegionCode::parse("3276011006").unwrap(), 9)],
        };
        write(&path, &d).unwrap();
        assert_eq!(read(&path).unwrap(), d);
        std::fs::write(&path, b"not statistics at all").unwrap();
        assert!(
            read(&path)
                .unwrap_err()
                .to_string()
                .contains("bukan statistik")
        );
    }
}
