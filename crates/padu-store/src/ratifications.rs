//! Minutes of a village deliberation (berita acara Musdes/Muskel) or an
//! SPTJM: number, date, place, attendees, signatories, the proposals it
//! ratified and the signed scan.
//!
//! Minutes gather proposals the village has submitted to the deliberation
//! (`DIAJUKAN`); once the signed scan is uploaded, every proposal they list
//! counts as having its signed scan (the ratification step's evidence, see
//! `HAS_SCAN` in `proposals.rs`), so the village ratifies them together
//! through the ordinary bulk step, all or nothing.

use chrono::{DateTime, NaiveDate, Utc};
use padu_core::proposal::{Step, TransitionError};
use padu_core::{MediaType, ProposalState, RatificationKind, RegionCode};
use sha2::{Digest, Sha256};

use crate::audit_log::{NewAuditEntry, insert_audit};
use crate::error::StoreError;
use crate::members::Actor;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// Minutes being recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRatification {
    /// The village.
    pub village: RegionCode,
    /// Musdes, Muskel or SPTJM.
    pub kind: RatificationKind,
    /// The document's number as the village writes it.
    pub number: String,
    /// The day of the deliberation (or of the statement).
    pub held_on: NaiveDate,
    /// Where.
    pub place: String,
    /// Who attended, one per entry.
    pub attendees: Vec<String>,
    /// Who signs, one per entry (`Nama — jabatan`).
    pub signatories: Vec<String>,
    /// A note.
    pub note: Option<String>,
    /// The proposals it ratifies (submitted to the deliberation, in the village).
    pub proposal_ids: Vec<i64>,
}

/// A signed scan being stored, judged by content by the caller.
#[derive(Debug, Clone, Copy)]
pub struct ScanFile<'a> {
    /// The name it was uploaded under (shown only).
    pub file_name: &'a str,
    /// What its content is.
    pub media: MediaType,
    /// The bytes.
    pub bytes: &'a [u8],
}

/// The stored scan's name, media type and bytes, if any.
#[derive(sqlx::FromRow)]
struct ScanRow {
    scan_file_name: Option<String>,
    scan_media_type: Option<String>,
    scan_data: Option<Vec<u8>>,
}

/// Minutes as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatificationRecord {
    /// Its id.
    pub ratification_id: i64,
    /// The village (compact).
    pub kode_wilayah: String,
    /// Musdes, Muskel or SPTJM.
    pub kind: RatificationKind,
    /// The number.
    pub number: String,
    /// The day (`YYYY-MM-DD`).
    pub held_on: String,
    /// Where.
    pub place: String,
    /// Who attended.
    pub attendees: Vec<String>,
    /// Who signs.
    pub signatories: Vec<String>,
    /// A note.
    pub note: Option<String>,
    /// The signed scan's file name, once uploaded.
    pub scan_file_name: Option<String>,
    /// When the scan was uploaded.
    pub scanned_at: Option<DateTime<Utc>>,
    /// The proposals it lists.
    pub proposal_ids: Vec<i64>,
    /// Who recorded it (display name).
    pub written_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    ratification_id: i64,
    kode_wilayah: String,
    kind: String,
    number: String,
    held_on: String,
    place: String,
    attendees: String,
    signatories: String,
    note: Option<String>,
    scan_file_name: Option<String>,
    scanned_at: Option<DateTime<Utc>>,
    written_by: String,
    created_at: DateTime<Utc>,
}

/// The code stored for a kind.
pub fn kind_code(k: RatificationKind) -> &'static str {
    match k {
        RatificationKind::Musdes => "MUSDES",
        RatificationKind::Muskel => "MUSKEL",
        RatificationKind::Sptjm => "SPTJM",
    }
}

fn kind_of(code: &str) -> Result<RatificationKind, StoreError> {
    match code {
        "MUSDES" => Ok(RatificationKind::Musdes),
        "MUSKEL" => Ok(RatificationKind::Muskel),
        "SPTJM" => Ok(RatificationKind::Sptjm),
        other => Err(StoreError::decode(
            "ratification",
            "kind",
            format!("unknown kind {other}"),
        )),
    }
}

/// Lines kept as text, one per line, blank lines dropped.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The columns every read of minutes selects.
macro_rules! select_ratification {
    () => {
        "select r.ratification_id, r.kode_wilayah, r.kind, r.number, r.held_on, \
         r.place, r.attendees, r.signatories, r.note, r.scan_file_name, r.scanned_at, \
         u.display_name as written_by, r.created_at \
         from ratification r join app_user u on u.app_user_id = r.created_by "
    };
}

/// Minutes of villages in $1..$2, newest first, at most $3.
const LIST: &str = concat!(
    select_ratification!(),
    "where r.kode_wilayah >= $1 and r.kode_wilayah < $2 order by r.ratification_id desc limit $3"
);

/// Minutes $1 if their village lies in $2..$3.
const ONE: &str = concat!(
    select_ratification!(),
    "where r.ratification_id = $1 and r.kode_wilayah >= $2 and r.kode_wilayah < $3"
);

const INSERT: &str = "insert into ratification (kode_wilayah, kind, number, held_on, place, \
    attendees, signatories, note, created_by, created_at, updated_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning ratification_id";

const LINK: &str = "insert into ratification_proposal (ratification_id, proposal_id, created_at, \
    updated_at) values ($1, $2, $3, $3)";

/// A proposal's village and state, if it lies in $2..$3.
const PROPOSAL_IN: &str = "select kode_wilayah, state from proposal \
    where proposal_id = $1 and kode_wilayah >= $2 and kode_wilayah < $3";

const LINKED: &str = "select proposal_id from ratification_proposal \
    where ratification_id = $1 order by proposal_id";

const SET_SCAN: &str = "update ratification set scan_file_name = $1, scan_media_type = $2, \
    scan_size_bytes = $3, scan_sha256 = $4, scan_data = $5, scanned_at = $6, scanned_by = $7, \
    updated_at = $6 where ratification_id = $8";

const SCAN: &str = "select scan_file_name, scan_media_type, scan_data from ratification \
    where ratification_id = $1 and kode_wilayah >= $2 and kode_wilayah < $3 \
    and scan_data is not null";

impl Store {
    /// Records minutes with the proposals they ratify, audited, in one
    /// transaction. Every proposal must be in the minutes' village, in
    /// `scope`, and submitted to the deliberation (`DIAJUKAN`); a number the
    /// village used before is a [`StoreError::Conflict`].
    pub async fn create_ratification(
        &self,
        scope: Scope,
        actor: &Actor,
        at: DateTime<Utc>,
        new: &NewRatification,
    ) -> Result<RatificationRecord, StoreError> {
        if !scope.contains(new.village) {
            return Err(StoreError::NotFound);
        }
        let village = new.village.compact();
        let (lo, hi) = scope.range();
        let mut tx = Tx::begin(&self.pool).await?;
        let result = async {
            for id in &new.proposal_ids {
                let row: Option<(String, String)> = on_tx!(&mut tx, c => sqlx::query_as(PROPOSAL_IN)
                    .bind(id)
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_optional(&mut *c)
                    .await?);
                let Some((_, state)) = row.filter(|(k, _)| *k == village) else {
                    return Err(StoreError::NotFound);
                };
                let state: ProposalState = state
                    .parse()
                    .map_err(|e| StoreError::decode("proposal", "state", format!("{e}")))?;
                if state != ProposalState::Diajukan {
                    return Err(StoreError::InBulk {
                        proposal_id: *id,
                        source: Box::new(StoreError::Transition(TransitionError::NotFromState {
                            step: Step::Ratify,
                            state,
                        })),
                    });
                }
            }
            let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(INSERT)
                .bind(&village)
                .bind(kind_code(new.kind))
                .bind(new.number.trim())
                .bind(new.held_on.to_string())
                .bind(new.place.trim())
                .bind(new.attendees.join("\n"))
                .bind(new.signatories.join("\n"))
                .bind(&new.note)
                .bind(actor.app_user_id)
                .bind(at)
                .fetch_one(&mut *c)
                .await?);
            let mut ids = new.proposal_ids.clone();
            ids.sort_unstable();
            ids.dedup();
            for p in &ids {
                on_tx!(&mut tx, c => sqlx::query(LINK)
                    .bind(id)
                    .bind(p)
                    .bind(at)
                    .execute(&mut *c)
                    .await
                    .map(drop)?);
            }
            let entry = NewAuditEntry {
                kode_wilayah: Some(village.clone()),
                entity: Some("ratification".into()),
                entity_id: Some(id.to_string()),
                after_value: Some(
                    serde_json::json!({ "kind": kind_code(new.kind), "number": new.number.trim(),
                        "held_on": new.held_on, "proposals": ids })
                    .to_string(),
                ),
                ..NewAuditEntry::by(actor, at, "ratification.create")
            };
            insert_audit(&mut tx, &entry).await?;
            Ok(id)
        }
        .await;
        match result {
            Ok(id) => {
                tx.commit().await?;
                self.ratification(scope, id).await
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    /// The minutes of the villages in `scope`, newest first.
    pub async fn ratifications(
        &self,
        scope: Scope,
        limit: u32,
    ) -> Result<Vec<RatificationRecord>, StoreError> {
        let (lo, hi) = scope.range();
        let rows: Vec<Row> = with_pool!(&self.pool, p => sqlx::query_as(LIST)
        .bind(&lo)
        .bind(&hi)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?);
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.with_links(r).await?);
        }
        Ok(out)
    }

    /// One set of minutes in `scope` ([`StoreError::NotFound`] otherwise).
    pub async fn ratification(
        &self,
        scope: Scope,
        ratification_id: i64,
    ) -> Result<RatificationRecord, StoreError> {
        let (lo, hi) = scope.range();
        let row: Option<Row> = with_pool!(&self.pool, p => sqlx::query_as(ONE)
        .bind(ratification_id)
        .bind(&lo)
        .bind(&hi)
        .fetch_optional(p)
        .await?);
        self.with_links(row.ok_or(StoreError::NotFound)?).await
    }

    async fn with_links(&self, r: Row) -> Result<RatificationRecord, StoreError> {
        let ids: Vec<i64> = with_pool!(&self.pool, p => sqlx::query_scalar(LINKED)
            .bind(r.ratification_id)
            .fetch_all(p)
            .await?);
        Ok(RatificationRecord {
            ratification_id: r.ratification_id,
            kind: kind_of(&r.kind)?,
            kode_wilayah: r.kode_wilayah,
            number: r.number,
            held_on: r.held_on,
            place: r.place,
            attendees: lines(&r.attendees),
            signatories: lines(&r.signatories),
            note: r.note,
            scan_file_name: r.scan_file_name,
            scanned_at: r.scanned_at,
            proposal_ids: ids,
            written_by: r.written_by,
            created_at: r.created_at,
        })
    }

    /// Stores the signed scan of minutes in `scope` (replacing an earlier
    /// one), audited; the caller has judged the file by its content.
    pub async fn attach_ratification_scan(
        &self,
        scope: Scope,
        actor: &Actor,
        at: DateTime<Utc>,
        ratification_id: i64,
        scan: &ScanFile<'_>,
    ) -> Result<RatificationRecord, StoreError> {
        let ScanFile {
            file_name,
            media,
            bytes,
        } = *scan;
        let r = self.ratification(scope, ratification_id).await?;
        let sha = format!("{:x}", Sha256::digest(bytes));
        let mut tx = Tx::begin(&self.pool).await?;
        on_tx!(&mut tx, c => sqlx::query(SET_SCAN)
            .bind(file_name)
            .bind(media.mime())
            .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
            .bind(&sha)
            .bind(bytes)
            .bind(at)
            .bind(actor.app_user_id)
            .bind(ratification_id)
            .execute(&mut *c)
            .await
            .map(drop)?);
        let entry = NewAuditEntry {
            kode_wilayah: Some(r.kode_wilayah.clone()),
            entity: Some("ratification".into()),
            entity_id: Some(ratification_id.to_string()),
            after_value: Some(
                serde_json::json!({ "file": file_name, "sha256": sha, "bytes": bytes.len() })
                    .to_string(),
            ),
            ..NewAuditEntry::by(actor, at, "ratification.scan")
        };
        insert_audit(&mut tx, &entry).await?;
        tx.commit().await?;
        self.ratification(scope, ratification_id).await
    }

    /// The signed scan of minutes in `scope`: its name, media type and bytes.
    pub async fn ratification_scan(
        &self,
        scope: Scope,
        ratification_id: i64,
    ) -> Result<(String, String, Vec<u8>), StoreError> {
        let (lo, hi) = scope.range();
        let row: Option<ScanRow> = with_pool!(&self.pool, p => sqlx::query_as(SCAN)
                .bind(ratification_id)
                .bind(&lo)
                .bind(&hi)
                .fetch_optional(p)
                .await?);
        match row {
            Some(ScanRow {
                scan_file_name: Some(name),
                scan_media_type: Some(media),
                scan_data: Some(data),
            }) => Ok((name, media, data)),
            _ => Err(StoreError::NotFound),
        }
    }
}
