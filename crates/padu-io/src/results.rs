//! Reading a verification-result file back (results to score, or a generator's ground truth).

use std::path::Path;

use padu_core::{Action, Flag, NikStatus, VerificationRow};

use crate::error::ReadError;
use crate::fields::{ColumnMap, RowCtx};
use crate::format;
use crate::issue::{Budget, Issue};
use crate::mapping::Mapping;
use crate::schema::Results as C;

/// Reads a whole verification-result file (`.csv`, `.xlsx` or `.parquet`) in the spec's columns.
///
/// `id_art` and `status` are required columns; a file without `tindakan`
/// (a ground-truth file that only knows statuses) reads as `TETAP`. Any invalid
/// row makes the whole read fail with [`ReadError::InvalidRows`] listing every
/// problem (up to 1000).
pub fn read_results(path: &Path) -> Result<Vec<VerificationRow>, ReadError> {
    let label = path.display().to_string();
    let opened = format::open(path, None, &label)?;
    let columns = ColumnMap::<C>::new(
        &label,
        opened.header_row,
        &opened.header,
        &Mapping::default(),
    )?;
    // A result file has no place for file warnings, and unknown columns are not read anyway.
    columns.check_unreadable(&label, opened.header_row, &opened.unreadable)?;
    let mut src = opened.source;
    let mut budget = Budget::new(1000);
    let mut problems = Vec::new();
    let mut out = Vec::new();
    while let Some(raw) = src.next_row() {
        let mut issues: Vec<Issue> = raw.issues.clone();
        if raw.broken || issues.iter().any(Issue::is_error) {
            problems.extend(budget.admit(issues));
            continue;
        }
        let mut ctx = RowCtx::new(&label, raw.row, &columns, &raw.cells);
        let id_art = ctx.required_text(C::IdArt);
        let status = ctx.required_text(C::Status).and_then(|s| {
            s.parse::<NikStatus>()
                .map_err(|e| ctx.error_from(C::Status, "STATUS_TIDAK_DIKENAL", &e))
                .ok()
        });
        let flags = Flag::split(&ctx.text(C::Flags).unwrap_or_default())
            .map_err(|e| ctx.error_from(C::Flags, "FLAG_TIDAK_DIKENAL", &e))
            .ok();
        let tindakan = if columns.has(C::Tindakan) {
            ctx.required_text(C::Tindakan).and_then(|s| {
                s.parse::<Action>()
                    .map_err(|e| ctx.error_from(C::Tindakan, "TINDAKAN_TIDAK_DIKENAL", &e))
                    .ok()
            })
        } else {
            Some(Action::Tetap)
        };
        let skor = match ctx.text(C::Skor) {
            None => Some(None),
            Some(s) => match s.replace(',', ".").parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => Some(Some(v)),
                _ => {
                    ctx.error(
                        C::Skor,
                        "SKOR_TIDAK_VALID",
                        format!("skor \"{s}\" harus angka antara 0 dan 1"),
                        format!("score \"{s}\" must be a number between 0 and 1"),
                    );
                    None
                }
            },
        };
        if let (Some(id_art), Some(status), Some(flags), Some(tindakan), Some(skor)) =
            (id_art, status, flags, tindakan, skor)
            && !ctx.failed
        {
            let text = |c| ctx.text(c).map(String::from);
            out.push(VerificationRow {
                id_art: id_art.into(),
                status,
                flags,
                tindakan,
                nik_usulan: text(C::NikUsulan),
                skor,
                id_kelompok_ganda: text(C::IdKelompokGanda),
                id_art_utama: text(C::IdArtUtama),
                keterangan: text(C::Keterangan).unwrap_or_default(),
            });
        }
        issues.extend(ctx.issues.into_iter().filter(Issue::is_error));
        problems.extend(budget.admit(issues));
    }
    let errors = problems.iter().any(Issue::is_error) || budget.suppressed() > 0;
    if errors {
        problems.extend(budget.summary(&label));
        problems.retain(Issue::is_error);
        return Err(ReadError::InvalidRows(problems));
    }
    Ok(out)
}
