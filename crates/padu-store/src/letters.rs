//! Letters (surat) from a regency's social office to its villages.
//!
//! A letter is numbered in the office's count of the year, carries a body,
//! a signatory and a deadline, and is addressed to one or many villages;
//! for each village Padu attaches the records it must fix: the members whose
//! latest finding asks for a correction or a deactivation, as the finding
//! stood when the letter was written. Progress is counted per village as of
//! the deadline (or now, before it): an attached record is *resolved* when a
//! re-check found nothing to fix, the member was deactivated, or a proposal
//! about them was finalised after the letter, by then; *in progress* when a
//! proposal about it was under way then.
//!
//! Reads are scoped like everything else: the issuing office (and the regions
//! above it) sees the whole letter, a village only its own recipient line and
//! records.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use padu_core::RegionCode;

use crate::audit_log::{NewAuditEntry, insert_audit};
use crate::error::StoreError;
use crate::members::Actor;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// A letter being written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLetter {
    /// The issuing office's regency or city.
    pub issuer: RegionCode,
    /// The filing code printed first in the number (kode klasifikasi), e.g. `400.9`.
    pub classification: String,
    /// The date printed on it.
    pub letter_date: NaiveDate,
    /// Perihal.
    pub subject: String,
    /// The text of the letter.
    pub body: String,
    /// The instant corrections are counted to.
    pub deadline: DateTime<Utc>,
    /// Who signs.
    pub signatory_name: String,
    /// Their position (Kepala Dinas Sosial).
    pub signatory_title: String,
    /// Their employee number (NIP), if printed.
    pub signatory_id: Option<String>,
    /// The villages it is addressed to (inside the issuer).
    pub villages: Vec<RegionCode>,
}

/// A letter as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Letter {
    /// Its id.
    pub letter_id: i64,
    /// The number as printed, e.g. `400.9/007/Dinsos/XII/2026`.
    pub number: String,
    /// The issuing office's region (compact).
    pub kode_wilayah: String,
    /// The date printed on it (`YYYY-MM-DD`).
    pub letter_date: String,
    /// Perihal.
    pub subject: String,
    /// The text.
    pub body: String,
    /// The instant corrections are counted to.
    pub deadline: DateTime<Utc>,
    /// Who signs.
    pub signatory_name: String,
    /// Their position.
    pub signatory_title: String,
    /// Their employee number, if printed.
    pub signatory_id: Option<String>,
    /// Who wrote it in Padu (display name).
    pub written_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// One recipient village's progress on the records attached for it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecipientProgress {
    /// The village (compact).
    pub kode_wilayah: String,
    /// Records attached.
    pub items: i64,
    /// Of those, resolved by the deadline (or by now, before it).
    pub resolved: i64,
    /// Of those not resolved, with a proposal under way then.
    pub in_progress: i64,
}

/// One attached record, with the member's current name and address.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LetterItem {
    /// The village it was attached for.
    pub kode_wilayah: String,
    /// The member.
    pub id_art: String,
    /// Their name now.
    pub nama: String,
    /// Their NIK cell now.
    pub nik: String,
    /// Their No KK cell now.
    pub no_kk: String,
    /// Their address now.
    pub alamat: Option<String>,
    /// RT.
    pub rt: Option<String>,
    /// RW.
    pub rw: Option<String>,
    /// The finding when the letter was written: NIK status.
    pub status: String,
    /// Flags (`;`-separated).
    pub flags: String,
    /// Proposed action.
    pub tindakan: String,
    /// The finding's sentence.
    pub keterangan: String,
    /// Whether it was resolved by the deadline (or by now, before it).
    pub resolved: bool,
}

/// `I`, `II`, … `XII`: the month as letter numbers print it.
pub fn roman_month(month: u32) -> &'static str {
    const R: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    R[(month.clamp(1, 12) - 1) as usize]
}

/// The members of village $1 whose finding asks for action and who are active,
/// attached to letter $2 at $3.
const ATTACH: &str = "insert into letter_item (letter_id, kode_wilayah, id_art, status, flags, \
    tindakan, keterangan, created_at, updated_at) \
    select $2, p.kode_wilayah, p.id_art, f.status, f.flags, f.tindakan, f.keterangan, $3, $3 \
    from person p join person_finding f on f.id_art = p.id_art \
    left join person_status s on s.person_id = p.person_id and s.valid_to is null \
    where p.kode_wilayah = $1 and f.tindakan in ('PERBAIKI', 'HAPUS') \
    and (s.active is null or s.active <> 0)";

const INSERT_LETTER: &str = "insert into letter (number, kode_wilayah, classification, sequence, \
    year, letter_date, subject, body, deadline, signatory_name, signatory_title, signatory_id, \
    created_by, created_at, updated_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) returning letter_id";

const NEXT_SEQUENCE: &str =
    "select coalesce(max(sequence), 0) + 1 from letter where kode_wilayah = $1 and year = $2";

const INSERT_RECIPIENT: &str = "insert into letter_recipient (letter_id, kode_wilayah, items, \
    created_at, updated_at) select $1, $2, count(*), $3, $3 from letter_item \
    where letter_id = $1 and kode_wilayah = $2";

/// The columns of a [`Letter`].
macro_rules! select_letter {
    () => {
        "select l.letter_id, l.number, l.kode_wilayah, l.letter_date, l.subject, l.body, \
         l.deadline, l.signatory_name, l.signatory_title, l.signatory_id, \
         u.display_name as written_by, l.created_at \
         from letter l join app_user u on u.app_user_id = l.created_by "
    };
}

/// Letters issued in $1..$2 or addressed to a village there, newest first, at most $3.
const LIST: &str = concat!(
    select_letter!(),
    "where (l.kode_wilayah >= $1 and l.kode_wilayah < $2) \
     or exists (select 1 from letter_recipient r where r.letter_id = l.letter_id \
     and r.kode_wilayah >= $1 and r.kode_wilayah < $2) \
     order by l.letter_id desc limit $3"
);

/// Letter $1 if issued in $2..$3 or addressed to a village there.
const ONE: &str = concat!(
    select_letter!(),
    "where l.letter_id = $1 and ((l.kode_wilayah >= $2 and l.kode_wilayah < $3) \
     or exists (select 1 from letter_recipient r where r.letter_id = l.letter_id \
     and r.kode_wilayah >= $2 and r.kode_wilayah < $3))"
);

/// Whether attached record `i` (of member `p`, finding `f`) was resolved at $4,
/// counting only proposals finalised since the letter was written ($5).
const RESOLVED: &str = "(f.tindakan = 'TETAP' and f.found_at <= $4) \
    or exists (select 1 from person_status s where s.person_id = p.person_id and s.active = 0 \
      and s.valid_from <= $4 and (s.valid_to is null or s.valid_to > $4)) \
    or exists (select 1 from proposal q where q.id_art = i.id_art and q.state = 'DITETAPKAN' \
      and q.updated_at <= $4 and q.updated_at >= $5)";

/// Whether a proposal about attached record `i` was under way at $4.
const UNDER_WAY: &str = "exists (select 1 from proposal q where q.id_art = i.id_art \
    and q.created_at <= $4 \
    and not (q.state in ('DITETAPKAN', 'DITOLAK_PUSDATIN') and q.updated_at <= $4))";

/// Each recipient of letter $1 in view ($2..$3: the whole letter when its
/// issuer is in view, else the villages in view), as of $4.
static PROGRESS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "select r.kode_wilayah, r.items, \
         coalesce(sum(case when i.id_art is not null and ({RESOLVED}) then 1 else 0 end), 0) as resolved, \
         coalesce(sum(case when i.id_art is not null and not ({RESOLVED}) and {UNDER_WAY} then 1 else 0 end), 0) as in_progress \
         from letter_recipient r join letter l on l.letter_id = r.letter_id \
         left join letter_item i on i.letter_id = r.letter_id and i.kode_wilayah = r.kode_wilayah \
         left join person p on p.id_art = i.id_art \
         left join person_finding f on f.id_art = i.id_art \
         where r.letter_id = $1 and ((l.kode_wilayah >= $2 and l.kode_wilayah < $3) \
           or (r.kode_wilayah >= $2 and r.kode_wilayah < $3)) \
         group by r.kode_wilayah, r.items order by r.kode_wilayah"
    )
});

/// The records attached for village $6 of letter $1 in view ($2..$3), with
/// whether each was resolved at $4.
static ITEMS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "select i.kode_wilayah, i.id_art, p.nama, p.nik, p.no_kk, p.alamat, p.rt, p.rw, \
         i.status, i.flags, i.tindakan, i.keterangan, \
         cast(case when ({RESOLVED}) then 1 else 0 end as bigint) as resolved_int \
         from letter_item i join letter l on l.letter_id = i.letter_id \
         join person p on p.id_art = i.id_art \
         left join person_finding f on f.id_art = i.id_art \
         where i.letter_id = $1 and i.kode_wilayah = $6 \
         and ((l.kode_wilayah >= $2 and l.kode_wilayah < $3) \
           or (i.kode_wilayah >= $2 and i.kode_wilayah < $3)) \
         order by p.nama, i.id_art"
    )
});

#[derive(sqlx::FromRow)]
struct ItemRow {
    kode_wilayah: String,
    id_art: String,
    nama: String,
    nik: String,
    no_kk: String,
    alamat: Option<String>,
    rt: Option<String>,
    rw: Option<String>,
    status: String,
    flags: String,
    tindakan: String,
    keterangan: String,
    resolved_int: i64,
}

/// How many times a letter number is drawn again when another letter took it meanwhile.
const NUMBER_ATTEMPTS: usize = 3;

impl Store {
    /// Writes a letter, attaches each village's records and audits it, in one
    /// transaction; returns it with its number.
    ///
    /// The issuer and every village must lie in `scope` and every village in
    /// the issuer ([`StoreError::NotFound`] otherwise). The number is the
    /// office's next of the letter's year; when another letter takes the same
    /// number at the same moment, the letter is written again with the next.
    pub async fn create_letter(
        &self,
        scope: Scope,
        actor: &Actor,
        at: DateTime<Utc>,
        new: &NewLetter,
    ) -> Result<Letter, StoreError> {
        let issuer = new.issuer.compact();
        let inside = |c: RegionCode| scope.contains(c) && c.compact().starts_with(&issuer);
        if !scope.contains(new.issuer)
            || new.villages.is_empty()
            || !new.villages.iter().all(|v| inside(*v))
        {
            return Err(StoreError::NotFound);
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_create_letter(scope, actor, at, new).await {
                Err(StoreError::Conflict { constraint })
                    if attempt < NUMBER_ATTEMPTS && constraint.contains("letter") => {}
                other => return other,
            }
        }
    }

    async fn try_create_letter(
        &self,
        scope: Scope,
        actor: &Actor,
        at: DateTime<Utc>,
        new: &NewLetter,
    ) -> Result<Letter, StoreError> {
        let issuer = new.issuer.compact();
        let year = i64::from(new.letter_date.year());
        let mut tx = Tx::begin(&self.pool).await?;
        let result = async {
            let sequence: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(NEXT_SEQUENCE)
                .bind(&issuer)
                .bind(year)
                .fetch_one(&mut *c)
                .await?);
            let number = format!(
                "{}/{sequence:03}/Dinsos/{}/{year}",
                new.classification.trim(),
                roman_month(new.letter_date.month())
            );
            let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(INSERT_LETTER)
                .bind(&number)
                .bind(&issuer)
                .bind(new.classification.trim())
                .bind(sequence)
                .bind(year)
                .bind(new.letter_date.to_string())
                .bind(&new.subject)
                .bind(&new.body)
                .bind(new.deadline)
                .bind(&new.signatory_name)
                .bind(&new.signatory_title)
                .bind(&new.signatory_id)
                .bind(actor.app_user_id)
                .bind(at)
                .fetch_one(&mut *c)
                .await?);
            let mut villages: Vec<String> = new.villages.iter().map(|v| v.compact()).collect();
            villages.sort();
            villages.dedup();
            for v in &villages {
                on_tx!(&mut tx, c => sqlx::query(ATTACH)
                    .bind(v)
                    .bind(id)
                    .bind(at)
                    .execute(&mut *c)
                    .await
                    .map(drop)?);
                on_tx!(&mut tx, c => sqlx::query(INSERT_RECIPIENT)
                    .bind(id)
                    .bind(v)
                    .bind(at)
                    .execute(&mut *c)
                    .await
                    .map(drop)?);
            }
            let entry = NewAuditEntry {
                kode_wilayah: Some(issuer.clone()),
                entity: Some("letter".into()),
                entity_id: Some(id.to_string()),
                after_value: Some(
                    serde_json::json!({ "number": number, "subject": new.subject, "villages": villages, "deadline": new.deadline })
                        .to_string(),
                ),
                ..NewAuditEntry::by(actor, at, "letter.create")
            };
            insert_audit(&mut tx, &entry).await?;
            let (lo, hi) = scope.range();
            let letter: Letter = on_tx!(&mut tx, c => sqlx::query_as(ONE)
                .bind(id)
                .bind(&lo)
                .bind(&hi)
                .fetch_one(&mut *c)
                .await?);
            Ok(letter)
        }
        .await;
        match result {
            Ok(l) => {
                tx.commit().await?;
                Ok(l)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    /// The letters issued in `scope` or addressed to a village in it, newest first.
    pub async fn letters(&self, scope: Scope, limit: u32) -> Result<Vec<Letter>, StoreError> {
        let (lo, hi) = scope.range();
        Ok(with_pool!(&self.pool, p => sqlx::query_as(LIST)
            .bind(&lo)
            .bind(&hi)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?))
    }

    /// One letter in view of `scope` ([`StoreError::NotFound`] otherwise).
    pub async fn letter(&self, scope: Scope, letter_id: i64) -> Result<Letter, StoreError> {
        let (lo, hi) = scope.range();
        let l: Option<Letter> = with_pool!(&self.pool, p => sqlx::query_as(ONE)
            .bind(letter_id)
            .bind(&lo)
            .bind(&hi)
            .fetch_optional(p)
            .await?);
        l.ok_or(StoreError::NotFound)
    }

    /// Each recipient's progress as of `min(now, deadline)`: every recipient
    /// when the issuer is in `scope`, else only the villages in it.
    pub async fn letter_progress(
        &self,
        scope: Scope,
        letter: &Letter,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecipientProgress>, StoreError> {
        let (lo, hi) = scope.range();
        let as_of = now.min(letter.deadline);
        Ok(
            with_pool!(&self.pool, p => sqlx::query_as(PROGRESS.as_str())
            .bind(letter.letter_id)
            .bind(&lo)
            .bind(&hi)
            .bind(as_of)
            .bind(letter.created_at)
            .fetch_all(p)
            .await?),
        )
    }

    /// The records attached for `village`, in view of `scope`, each with
    /// whether it was resolved as of `min(now, deadline)`.
    pub async fn letter_items(
        &self,
        scope: Scope,
        letter: &Letter,
        village: RegionCode,
        now: DateTime<Utc>,
    ) -> Result<Vec<LetterItem>, StoreError> {
        let (lo, hi) = scope.range();
        let as_of = now.min(letter.deadline);
        let rows: Vec<ItemRow> = with_pool!(&self.pool, p => sqlx::query_as(ITEMS.as_str())
            .bind(letter.letter_id)
            .bind(&lo)
            .bind(&hi)
            .bind(as_of)
            .bind(letter.created_at)
            .bind(village.compact())
            .fetch_all(p)
            .await?);
        Ok(rows
            .into_iter()
            .map(|r| LetterItem {
                kode_wilayah: r.kode_wilayah,
                id_art: r.id_art,
                nama: r.nama,
                nik: r.nik,
                no_kk: r.no_kk,
                alamat: r.alamat,
                rt: r.rt,
                rw: r.rw,
                status: r.status,
                flags: r.flags,
                tindakan: r.tindakan,
                keterangan: r.keterangan,
                resolved: r.resolved_int != 0,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::roman_month;

    #[test]
    fn months_print_in_roman_numerals() {
        assert_eq!(roman_month(1), "I");
        assert_eq!(roman_month(4), "IV");
        assert_eq!(roman_month(9), "IX");
        assert_eq!(roman_month(12), "XII");
    }
}
