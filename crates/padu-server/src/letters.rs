//! Letters (surat) from the regency's social office to its villages, as the
//! pages and the API both use them: what a form or JSON body says becomes a
//! `NewLetter` here, once; the PDF of a letter is laid out here from what the
//! store returns in the reader's view (a village gets its own attachment only).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use padu_core::{Lang, Permission, RegionCode, RegionLevel, Role, Zone};
use padu_pdf::{Align, Block, Column, Document, Signature};
use padu_store::{Letter, NewLetter, RecipientProgress, Scope};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::view::{region_name, region_path};

/// What a letter form or JSON body carries, before it is checked.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LetterInput {
    /// The filing code printed first in the number (default `400.9`).
    #[serde(default)]
    pub classification: Option<String>,
    /// The date printed on the letter, `YYYY-MM-DD` or `dd-mm-yyyy` (default today).
    #[serde(default)]
    pub letter_date: Option<String>,
    /// Perihal.
    pub subject: String,
    /// The text; `{batas_waktu}` becomes the deadline in words.
    pub body: String,
    /// The last day to correct, `YYYY-MM-DD` or `dd-mm-yyyy`; corrections count until 23:59 local time.
    pub deadline: String,
    /// Who signs.
    pub signatory_name: String,
    /// Their position.
    pub signatory_title: String,
    /// Their employee number (NIP).
    #[serde(default)]
    pub signatory_id: Option<String>,
    /// The villages (10-digit codes) it is addressed to.
    pub villages: Vec<String>,
}

/// The letter text offered in a new letter's form.
pub fn default_body(lang: Lang) -> String {
    Tr::new(lang).get("letter.default_body").to_string()
}

/// `3 Desember 2026` (or `3 December 2026`).
pub fn long_date(d: NaiveDate, lang: Lang) -> String {
    use chrono::Datelike;
    let month = padu_core::Period::new(d.year(), d.month())
        .map(|p| p.label(lang))
        .unwrap_or_default();
    // The period label is "Desember 2026": keep its month name.
    let name = month.split(' ').next().unwrap_or_default();
    format!("{} {name} {}", d.day(), d.year())
}

/// The office's zone (WIB, WITA or WIT).
fn zone_of(ctx: &Ctx, region: RegionCode) -> Zone {
    ctx.state().config().zones.zone(region).unwrap_or(Zone::Wib)
}

/// The deadline instant and how people read it: the end of the day in the office's zone.
pub fn deadline_words(deadline: DateTime<Utc>, zone: Zone, lang: Lang) -> String {
    let local = deadline.with_timezone(&zone.offset());
    let at = match lang {
        Lang::Id => "pukul",
        Lang::En => "at",
    };
    format!(
        "{} {at} {} {}",
        long_date(local.date_naive(), lang),
        local.format("%H.%M"),
        zone.as_str()
    )
}

/// A letter's deadline in words, in its office's zone.
pub fn letter_deadline(ctx: &Ctx, letter: &Letter, lang: Lang) -> String {
    let zone = RegionCode::parse(&letter.kode_wilayah)
        .map(|r| zone_of(ctx, r))
        .unwrap_or(Zone::Wib);
    deadline_words(letter.deadline, zone, lang)
}

/// Checks a letter form or body and turns it into a `NewLetter` from the user's office.
pub fn parse_letter(ctx: &Ctx, input: &LetterInput) -> Result<NewLetter, AppError> {
    ctx.require(Permission::WriteLetter)?;
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let issuer = match ctx.scope() {
        Scope::Region(r) if r.level() == RegionLevel::Regency => r,
        _ => return Err(AppError::Forbidden),
    };
    let bad = |key: &str| AppError::BadRequest(t.get(key).to_string());
    let required = |v: &str, key: &str| -> Result<String, AppError> {
        let v = v.trim();
        if v.is_empty() {
            Err(bad(key))
        } else {
            Ok(v.to_string())
        }
    };
    let day = |v: &str, key: &str| -> Result<NaiveDate, AppError> {
        padu_core::parse_date(v.trim())
            .map_err(|_| AppError::BadRequest(t.get(key).replace("{value}", v.trim())))
    };
    let zone = zone_of(ctx, issuer);
    let now = ctx.state().now();
    let today = now.with_timezone(&zone.offset()).date_naive();
    let letter_date = match input.letter_date.as_deref().map(str::trim) {
        None | Some("") => today,
        Some(v) => day(v, "letter.bad_date")?,
    };
    let deadline_day = day(&input.deadline, "letter.bad_deadline")?;
    if deadline_day < letter_date {
        return Err(bad("letter.deadline_before_date"));
    }
    let end = deadline_day
        .and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("a time of day"))
        .and_local_timezone(zone.offset())
        .single()
        .expect("a fixed offset maps every local time once")
        .with_timezone(&Utc);
    let mut villages = Vec::new();
    for v in &input.villages {
        let code = padu_core::regions()
            .parse_village(v.trim())
            .map_err(|e| AppError::BadRequest(padu_core::lang::Localized::message(&e, lang)))?;
        if !ctx.store().covers(code) {
            return Err(AppError::NotFound);
        }
        villages.push(code);
    }
    if villages.is_empty() {
        return Err(bad("letter.no_villages"));
    }
    let classification = input
        .classification
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or("400.9")
        .to_string();
    if classification.len() > 20 || classification.contains('/') {
        return Err(bad("letter.bad_classification"));
    }
    let subject = required(&input.subject, "letter.no_subject")?;
    let body = required(&input.body, "letter.no_body")?;
    if body.len() > 8000 || subject.len() > 300 {
        return Err(bad("letter.too_long"));
    }
    Ok(NewLetter {
        issuer,
        classification,
        letter_date,
        subject,
        body: body.replace("{batas_waktu}", &deadline_words(end, zone, Lang::Id)),
        deadline: end,
        signatory_name: required(&input.signatory_name, "letter.no_signatory")?,
        signatory_title: required(&input.signatory_title, "letter.no_signatory")?,
        signatory_id: input
            .signatory_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        villages,
    })
}

/// A recipient's line in words: village, records, resolved, under way, share.
#[derive(Debug, Clone)]
pub struct RecipientLine {
    /// The village.
    pub code: RegionCode,
    /// Its name.
    pub name: String,
    /// Its progress.
    pub progress: RecipientProgress,
    /// Resolved as a share, `57.1%`.
    pub share: String,
}

/// The recipients in view with their progress as of `min(now, deadline)`.
pub async fn recipients(ctx: &Ctx, letter: &Letter) -> Result<Vec<RecipientLine>, AppError> {
    let now = ctx.state().now();
    Ok(ctx
        .store()
        .letter_progress(letter, now)
        .await?
        .into_iter()
        .filter_map(|p| {
            let code = RegionCode::parse(&p.kode_wilayah).ok()?;
            let share = if p.items == 0 {
                "—".to_string()
            } else {
                crate::dashboard::percent(p.resolved * 1000 / p.items, ctx.lang())
            };
            Some(RecipientLine {
                code,
                name: region_path(code),
                progress: p,
                share,
            })
        })
        .collect())
}

/// An attached record's finding in one line: `NIK_TIDAK_VALID · PINDAH · PERBAIKI`.
pub fn finding_words(item: &padu_store::LetterItem) -> String {
    if item.flags.is_empty() {
        format!("{} · {}", item.status, item.tindakan)
    } else {
        format!(
            "{} · {} · {}",
            item.status,
            item.flags.replace(';', ", "),
            item.tindakan
        )
    }
}

/// The letter as PDF, with the attachment of every recipient in the reader's view.
pub async fn letter_pdf(ctx: &Ctx, letter: &Letter) -> Result<Vec<u8>, AppError> {
    let lang = Lang::Id;
    let issuer =
        RegionCode::parse(&letter.kode_wilayah).map_err(|e| AppError::Internal(e.to_string()))?;
    let deadline = letter_deadline(ctx, letter, lang);
    let lines = recipients(ctx, letter).await?;
    let full = ctx.can(Permission::ViewFullNik);
    let now = ctx.state().now();
    let letter_date: NaiveDate = letter
        .letter_date
        .parse()
        .map_err(|e: chrono::ParseError| AppError::Internal(e.to_string()))?;
    let total: i64 = lines.iter().map(|l| l.progress.items).sum();

    let mut blocks = vec![
        Block::Letterhead(vec![
            format!("PEMERINTAH {}", region_name(issuer).to_uppercase()),
            "DINAS SOSIAL".to_string(),
            region_path(issuer),
        ]),
        Block::Fields(vec![
            ("Nomor".into(), letter.number.clone()),
            ("Sifat".into(), "Penting".into()),
            ("Lampiran".into(), format!("1 (satu) berkas ({total} data)")),
            ("Perihal".into(), letter.subject.clone()),
        ]),
        Block::Paragraph(format!(
            "{}, {}",
            region_name(issuer),
            long_date(letter_date, lang)
        )),
    ];
    let names: Vec<String> = lines.iter().map(|l| region_name(l.code)).collect();
    let to = if names.len() <= 3 {
        names.join(", ")
    } else {
        format!("{} desa/kelurahan (daftar terlampir)", names.len())
    };
    blocks.push(Block::Paragraph(format!(
        "Kepada Yth.\nKepala Desa/Lurah {to}\ndi tempat"
    )));
    blocks.push(Block::Paragraph(letter.body.clone()));
    blocks.push(Block::Fields(vec![(
        "Batas waktu".into(),
        deadline.clone(),
    )]));
    // The office's operators, whom the villages call.
    let contacts: Vec<Vec<String>> = ctx
        .store()
        .directory()
        .await?
        .into_iter()
        .filter(|e| {
            e.scope == Scope::Region(issuer)
                && matches!(
                    e.role,
                    Role::OperatorDinsos | Role::VerifikatorDinsos | Role::KepalaDinsos
                )
        })
        .map(|e| {
            vec![
                e.display_name,
                e.role.label(lang).to_string(),
                e.phone.unwrap_or_default(),
                e.working_hours.unwrap_or_default(),
            ]
        })
        .collect();
    if !contacts.is_empty() {
        blocks.push(Block::Heading("Narahubung Dinas Sosial".into()));
        blocks.push(Block::Table {
            columns: vec![
                Column::new("Nama", 3.0),
                Column::new("Peran", 2.5),
                Column::new("Telepon", 2.0),
                Column::new("Jam kerja", 2.5),
            ],
            rows: contacts,
            size: 9.0,
        });
    }
    blocks.push(Block::Signatures(vec![Signature {
        above: vec![letter.signatory_title.clone()],
        name: letter.signatory_name.clone(),
        below: letter.signatory_id.as_ref().map(|n| format!("NIP {n}")),
    }]));
    for line in &lines {
        let items = ctx.store().letter_items(letter, line.code, now).await?;
        blocks.push(Block::PageBreak);
        blocks.push(Block::Title(format!(
            "Lampiran Surat Nomor {}",
            letter.number
        )));
        blocks.push(Block::Fields(vec![
            ("Desa/kelurahan".into(), line.name.clone()),
            (
                "Data yang perlu diperbaiki".into(),
                format!("{} orang", items.len()),
            ),
            ("Batas waktu".into(), deadline.clone()),
        ]));
        let rows: Vec<Vec<String>> = items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let nik = crate::view::nik_text(&it.nik, full);
                let address = [
                    it.alamat.clone().unwrap_or_default(),
                    match (&it.rt, &it.rw) {
                        (Some(rt), Some(rw)) => format!("RT {rt}/RW {rw}"),
                        _ => String::new(),
                    },
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
                let finding = finding_words(it);
                vec![
                    (i + 1).to_string(),
                    format!("{}\n{}", it.nama, it.id_art),
                    nik,
                    address,
                    finding,
                    it.keterangan.clone(),
                ]
            })
            .collect();
        blocks.push(Block::Table {
            columns: vec![
                Column::new("No", 0.6).aligned(Align::Right),
                Column::new("Nama / id_art", 3.0),
                Column::new("NIK", 2.6),
                Column::new("Alamat", 3.0),
                Column::new("Temuan", 2.6),
                Column::new("Keterangan", 4.5),
            ],
            rows,
            size: 8.0,
        });
    }
    let doc = Document {
        title: format!("Surat {}: {}", letter.number, letter.subject),
        orientation: padu_pdf::Orientation::Portrait,
        blocks,
        footer: format!("Surat {}", letter.number),
    };
    let rendered = tokio::task::spawn_blocking(move || padu_pdf::render(&doc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(rendered.bytes)
}
