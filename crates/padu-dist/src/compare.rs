//! Two result files compared row by row, as the issue defines "the same
//! answers": every column equal, duplicate group ids up to renaming.

use std::collections::HashMap;

use padu_core::VerificationRow;

/// How many differing rows a [`Comparison`] keeps column by column.
const SHOWN: u64 = 10;

/// One column of one row that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The row's `id_art`.
    pub id_art: String,
    /// The column's name in the interchange result file.
    pub column: &'static str,
    /// The distributed result's cell.
    pub ours: String,
    /// The other result's cell.
    pub theirs: String,
}

/// What [`compare`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Rows equal in every column.
    pub same: u64,
    /// Rows in both results that differ in some column.
    pub differ: u64,
    /// Rows only in the other result.
    pub missing: u64,
    /// Rows only in the distributed result.
    pub extra: u64,
    /// The differences of the first few differing rows, in the other
    /// result's row order: they say where to look.
    pub shown: Vec<Difference>,
}

impl Comparison {
    /// Whether the two results hold the same rows.
    pub fn identical(&self) -> bool {
        self.differ == 0 && self.missing == 0 && self.extra == 0
    }
}

/// Compares `ours` (by `id_art`) with `theirs`, row by row.
///
/// Group ids are compared up to renaming: two results agree on a row's
/// group when its id maps to the other's, one to one, across every row of
/// both results. A group of `ours` split in two in `theirs`, or two merged,
/// breaks the mapping at the first row where it differs, so that row counts
/// as differing in `id_kelompok_ganda`.
pub fn compare(
    mut ours: HashMap<String, VerificationRow>,
    theirs: &[VerificationRow],
) -> Comparison {
    let columns = VerificationRow::COLUMNS;
    let group = columns
        .iter()
        .position(|c| *c == "id_kelompok_ganda")
        .expect("the result columns name the duplicate group");
    let mut out = Comparison::default();
    let (mut to_theirs, mut to_ours) = (HashMap::new(), HashMap::new());
    for row in theirs {
        let Some(r) = ours.remove(&row.id_art) else {
            out.missing += 1;
            continue;
        };
        let (a, b) = (r.to_cells(), row.to_cells());
        let both_grouped = !a[group].is_empty() && !b[group].is_empty();
        let same_group = if both_grouped {
            let there = to_theirs
                .entry(a[group].clone())
                .or_insert_with(|| b[group].clone());
            let here = to_ours
                .entry(b[group].clone())
                .or_insert_with(|| a[group].clone());
            *there == b[group] && *here == a[group]
        } else {
            a[group] == b[group]
        };
        let differs: Vec<usize> = (0..columns.len())
            .filter(|&i| {
                if i == group {
                    !same_group
                } else {
                    a[i] != b[i]
                }
            })
            .collect();
        if differs.is_empty() {
            out.same += 1;
            continue;
        }
        out.differ += 1;
        if out.differ <= SHOWN {
            out.shown.extend(differs.into_iter().map(|i| Difference {
                id_art: row.id_art.clone(),
                column: columns[i],
                ours: a[i].clone(),
                theirs: b[i].clone(),
            }));
        }
    }
    out.extra = ours.len() as u64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use padu_core::{Action, NikStatus};

    fn row(id: &str, group: Option<&str>) -> VerificationRow {
        VerificationRow {
            id_art: id.into(),
            status: NikStatus::Padan,
            flags: Vec::new(),
            tindakan: Action::Tetap,
            nik_usulan: None,
            skor: Some(0.99),
            id_kelompok_ganda: group.map(str::to_string),
            id_art_utama: group.map(|_| "A".to_string()),
            keterangan: "padan".into(),
        }
    }

    fn by_id(rows: &[VerificationRow]) -> HashMap<String, VerificationRow> {
        rows.iter().map(|r| (r.id_art.clone(), r.clone())).collect()
    }

    #[test]
    fn renamed_groups_are_the_same_groups() {
        let ours = [
            row("A", Some("G1")),
            row("B", Some("G1")),
            row("C", Some("G2")),
            row("D", Some("G2")),
            row("E", None),
        ];
        let theirs = [
            row("A", Some("G2")),
            row("B", Some("G2")),
            row("C", Some("G7")),
            row("D", Some("G7")),
            row("E", None),
        ];
        let c = compare(by_id(&ours), &theirs);
        assert!(c.identical(), "{c:?}");
        assert_eq!(c.same, 5);
    }

    #[test]
    fn merged_or_split_groups_differ() {
        // Ours: {A,B} and {C,D}; theirs: {A,B,C,D}.
        let ours = [
            row("A", Some("G1")),
            row("B", Some("G1")),
            row("C", Some("G2")),
            row("D", Some("G2")),
        ];
        let theirs = [
            row("A", Some("G1")),
            row("B", Some("G1")),
            row("C", Some("G1")),
            row("D", Some("G1")),
        ];
        let c = compare(by_id(&ours), &theirs);
        assert!(!c.identical());
        assert!(c.differ >= 1, "{c:?}");
        assert_eq!(c.shown[0].column, "id_kelompok_ganda");
        assert_eq!(c.shown[0].id_art, "C");
        // The other way round: one group of ours split in two.
        let c = compare(by_id(&theirs), &ours);
        assert!(c.differ >= 1, "{c:?}");
        assert_eq!(c.shown[0].id_art, "C");
    }

    #[test]
    fn a_row_grouped_on_one_side_only_differs() {
        let ours = [row("A", Some("G1")), row("B", Some("G1")), row("C", None)];
        let theirs = [row("A", Some("G1")), row("B", None), row("C", None)];
        let c = compare(by_id(&ours), &theirs);
        assert_eq!((c.same, c.differ), (2, 1), "{c:?}");
        let columns: Vec<_> = c.shown.iter().map(|d| d.column).collect();
        assert_eq!(columns, ["id_kelompok_ganda", "id_art_utama"]);
    }

    #[test]
    fn rows_missing_on_either_side_are_counted() {
        let ours = [row("A", None), row("B", None)];
        let theirs = [row("B", None), row("C", None)];
        let c = compare(by_id(&ours), &theirs);
        assert_eq!((c.same, c.differ, c.missing, c.extra), (1, 0, 1, 1));
        assert!(!c.identical());
    }

    #[test]
    fn another_column_differs_whatever_the_group() {
        let ours = [row("A", Some("G1")), row("B", Some("G1"))];
        let mut theirs = [row("A", Some("G9")), row("B", Some("G9"))];
        theirs[1].tindakan = Action::Hapus;
        let c = compare(by_id(&ours), &theirs);
        assert_eq!((c.same, c.differ), (1, 1), "{c:?}");
        assert_eq!(c.shown.len(), 1);
        assert_eq!(c.shown[0].column, "tindakan");
    }
}
