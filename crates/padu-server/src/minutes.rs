//! Minutes of the village deliberation (berita acara Musdes/Muskel) or an
//! SPTJM, as the pages and the API both use them: the form becomes a
//! `NewRatification` here, once; the draft minutes and the list of names and
//! addresses (BNBA) they ratify are laid out here as PDF and XLSX.

use chrono::{Datelike, NaiveDate, Weekday};
use padu_core::{Lang, Permission, RatificationKind, RegionCode, RegionLevel};
use padu_io::ReportKind;
use padu_pdf::{Align, Block, Column, Document, Signature};
use padu_store::{NewRatification, RatificationRecord, Scope};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::letters::long_date;
use crate::view::{region_name, region_path};

/// What a minutes form or JSON body carries, before it is checked.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MinutesInput {
    /// `MUSDES`, `MUSKEL` or `SPTJM`.
    pub kind: String,
    /// The document's number as the village writes it.
    pub number: String,
    /// The day, `YYYY-MM-DD` or `dd-mm-yyyy`.
    pub held_on: String,
    /// Where.
    pub place: String,
    /// Who attended, one per line.
    pub attendees: String,
    /// Who signs, one per line (`Nama — jabatan`).
    pub signatories: String,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
    /// The proposals (submitted to the deliberation) it ratifies.
    pub proposals: Vec<i64>,
}

/// The kind a form names.
pub fn parse_kind(s: &str) -> Option<RatificationKind> {
    match s.trim() {
        "MUSDES" => Some(RatificationKind::Musdes),
        "MUSKEL" => Some(RatificationKind::Muskel),
        "SPTJM" => Some(RatificationKind::Sptjm),
        _ => None,
    }
}

/// The document's title.
pub fn kind_title(k: RatificationKind) -> &'static str {
    match k {
        RatificationKind::Musdes => "BERITA ACARA MUSYAWARAH DESA",
        RatificationKind::Muskel => "BERITA ACARA MUSYAWARAH KELURAHAN",
        RatificationKind::Sptjm => "SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK",
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks a minutes form or body from the village's operator.
pub fn parse_minutes(ctx: &Ctx, input: &MinutesInput) -> Result<NewRatification, AppError> {
    ctx.require(Permission::Propose)?;
    let t = Tr::new(ctx.lang());
    let village = match ctx.scope() {
        Scope::Region(r) if r.level() == RegionLevel::Village => r,
        _ => return Err(AppError::Forbidden),
    };
    let bad = |key: &str| AppError::BadRequest(t.get(key).to_string());
    let kind = parse_kind(&input.kind).ok_or_else(|| bad("minutes.bad_kind"))?;
    let held_on = padu_core::parse_date(input.held_on.trim()).map_err(|_| {
        AppError::BadRequest(
            t.get("minutes.bad_date")
                .replace("{value}", input.held_on.trim()),
        )
    })?;
    if held_on > ctx.state().now().date_naive() + chrono::Duration::days(1) {
        return Err(bad("minutes.future_date"));
    }
    let number = input.number.trim();
    let place = input.place.trim();
    if number.is_empty() || place.is_empty() {
        return Err(bad("minutes.required"));
    }
    let attendees = lines(&input.attendees);
    let signatories = lines(&input.signatories);
    if signatories.is_empty() {
        return Err(bad("minutes.no_signatory"));
    }
    if kind != RatificationKind::Sptjm && attendees.is_empty() {
        return Err(bad("minutes.no_attendees"));
    }
    if input.proposals.is_empty() {
        return Err(bad("minutes.no_proposals"));
    }
    Ok(NewRatification {
        village,
        kind,
        number: number.to_string(),
        held_on,
        place: place.to_string(),
        attendees,
        signatories,
        note: input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        proposal_ids: input.proposals.clone(),
    })
}

/// One line of the list of names and addresses (BNBA).
pub struct BnbaRow {
    /// The proposal's number.
    pub proposal_id: i64,
    /// Name, then `id_art`.
    pub nama: String,
    /// `id_art`.
    pub id_art: String,
    /// NIK as the reader may see it.
    pub nik: String,
    /// No KK as the reader may see it.
    pub no_kk: String,
    /// Address with RT/RW.
    pub alamat: String,
    /// What is proposed, in words.
    pub usulan: String,
    /// The proposal's state code.
    pub state: String,
}

/// The minutes' proposals, each with its member, as the BNBA lists them.
pub async fn bnba(ctx: &Ctx, m: &RatificationRecord) -> Result<Vec<BnbaRow>, AppError> {
    let full = ctx.can(Permission::ViewFullNik);
    let mut rows = Vec::with_capacity(m.proposal_ids.len());
    for id in &m.proposal_ids {
        let p = ctx.store().proposal(*id).await?;
        let person = match &p.id_art {
            Some(a) => Some(ctx.store().member(a).await?.person),
            None => None,
        };
        let what = match p.change.deactivation_reason() {
            Some(r) => format!("{}: {}", p.change.kind().label(Lang::Id), r.label(Lang::Id)),
            None => p.change.kind().label(Lang::Id).to_string(),
        };
        let changes: Vec<String> = p
            .after
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "status" | "alasan"))
                    .map(|(k, v)| format!("{k} → {}", v.as_str().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        let usulan = if changes.is_empty() {
            what
        } else {
            format!("{what} ({})", changes.join("; "))
        };
        rows.push(match person {
            Some(pp) => BnbaRow {
                proposal_id: p.proposal_id,
                nama: pp.nama.to_string(),
                id_art: pp.id_art.to_string(),
                nik: crate::view::id_number(&pp.nik, full),
                no_kk: crate::view::id_number(&pp.no_kk, full),
                alamat: [
                    pp.alamat.as_deref().unwrap_or_default().to_string(),
                    match (&pp.rt, &pp.rw) {
                        (Some(rt), Some(rw)) => format!("RT {rt}/RW {rw}"),
                        _ => String::new(),
                    },
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
                usulan,
                state: p.state.as_str().to_string(),
            },
            None => BnbaRow {
                proposal_id: p.proposal_id,
                nama: String::new(),
                id_art: String::new(),
                nik: String::new(),
                no_kk: String::new(),
                alamat: String::new(),
                usulan,
                state: p.state.as_str().to_string(),
            },
        });
    }
    Ok(rows)
}

fn bnba_table(rows: &[BnbaRow]) -> Block {
    Block::Table {
        columns: vec![
            Column::new("No", 0.5).aligned(Align::Right),
            Column::new("Usulan", 0.9),
            Column::new("Nama / id_art", 2.6),
            Column::new("NIK / No KK", 2.4),
            Column::new("Alamat", 2.6),
            Column::new("Perubahan yang diusulkan", 4.0),
        ],
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    format!("#{}", r.proposal_id),
                    format!("{}\n{}", r.nama, r.id_art),
                    format!("{}\n{}", r.nik, r.no_kk),
                    r.alamat.clone(),
                    r.usulan.clone(),
                ]
            })
            .collect(),
        size: 8.0,
    }
}

fn weekday(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

/// Signatures from `Nama — jabatan` lines.
fn signatures(m: &RatificationRecord, village: &str, held_on: NaiveDate) -> Vec<Signature> {
    m.signatories
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (name, role) = s
                .split_once('—')
                .or_else(|| s.split_once(" - "))
                .map(|(n, r)| (n.trim().to_string(), r.trim().to_string()))
                .unwrap_or_else(|| (s.clone(), String::new()));
            let mut above = Vec::new();
            if i == m.signatories.len() - 1 {
                above.push(format!("{village}, {}", long_date(held_on, Lang::Id)));
            } else {
                above.push(String::new());
            }
            above.push(role);
            Signature {
                above,
                name,
                below: None,
            }
        })
        .collect()
}

async fn render(doc: Document) -> Result<Vec<u8>, AppError> {
    let rendered = tokio::task::spawn_blocking(move || padu_pdf::render(&doc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(rendered.bytes)
}

/// The draft minutes for signing, with the BNBA as attachment, as PDF.
pub async fn draft_pdf(ctx: &Ctx, m: &RatificationRecord) -> Result<Vec<u8>, AppError> {
    let code = RegionCode::parse(&m.kode_wilayah).map_err(|e| AppError::Internal(e.to_string()))?;
    let village = region_name(code);
    let held_on: NaiveDate = m
        .held_on
        .parse()
        .map_err(|e: chrono::ParseError| AppError::Internal(e.to_string()))?;
    let rows = bnba(ctx, m).await?;
    let mut blocks = vec![
        Block::Title(kind_title(m.kind).to_string()),
        Block::Title(format!("Nomor: {}", m.number)),
        Block::Space(6.0),
    ];
    let opening = match m.kind {
        RatificationKind::Sptjm => format!(
            "Yang bertanda tangan di bawah ini, selaku penanggung jawab desa/kelurahan {} ({}), menyatakan dengan sesungguhnya bahwa usulan perubahan Data Terpadu Kesejahteraan Sosial (DTKS) sebanyak {} orang sebagaimana tercantum dalam lampiran (daftar nama dan alamat) telah diperiksa dan benar, dan bertanggung jawab penuh atas kebenarannya.",
            village,
            region_path(code),
            rows.len()
        ),
        _ => format!(
            "Pada hari ini {}, tanggal {}, bertempat di {}, telah dilaksanakan {} {} ({}) untuk membahas usulan perubahan Data Terpadu Kesejahteraan Sosial (DTKS). Musyawarah menyepakati usulan perubahan data sebanyak {} orang sebagaimana tercantum dalam lampiran berita acara ini (daftar nama dan alamat).",
            weekday(held_on),
            long_date(held_on, Lang::Id),
            m.place,
            match m.kind {
                RatificationKind::Muskel => "Musyawarah Kelurahan",
                _ => "Musyawarah Desa",
            },
            village,
            region_path(code),
            rows.len()
        ),
    };
    blocks.push(Block::Paragraph(opening));
    if !m.attendees.is_empty() {
        blocks.push(Block::Heading("Daftar hadir".into()));
        blocks.push(Block::Table {
            columns: vec![
                Column::new("No", 0.5).aligned(Align::Right),
                Column::new("Nama / unsur", 5.0),
                Column::new("Tanda tangan", 3.0),
            ],
            rows: m
                .attendees
                .iter()
                .enumerate()
                .map(|(i, a)| vec![(i + 1).to_string(), a.clone(), String::new()])
                .collect(),
            size: 9.0,
        });
    }
    if let Some(n) = &m.note {
        blocks.push(Block::Paragraph(n.clone()));
    }
    blocks.push(Block::Paragraph(
        "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya."
            .into(),
    ));
    blocks.push(Block::Signatures(signatures(m, &village, held_on)));
    blocks.push(Block::PageBreak);
    blocks.push(Block::Title(format!(
        "Lampiran {}: daftar nama dan alamat (BNBA)",
        m.number
    )));
    blocks.push(bnba_table(&rows));
    render(Document {
        title: format!("{} {}", kind_title(m.kind), m.number),
        orientation: padu_pdf::Orientation::Portrait,
        blocks,
        footer: format!("{} · draf untuk ditandatangani", m.number),
    })
    .await
}

/// The BNBA alone, as PDF.
pub async fn bnba_pdf(ctx: &Ctx, m: &RatificationRecord) -> Result<Vec<u8>, AppError> {
    let code = RegionCode::parse(&m.kode_wilayah).map_err(|e| AppError::Internal(e.to_string()))?;
    let rows = bnba(ctx, m).await?;
    render(Document {
        title: format!("BNBA {}", m.number),
        orientation: padu_pdf::Orientation::Landscape,
        blocks: vec![
            Block::Title("DAFTAR NAMA DAN ALAMAT (BNBA) USULAN PERUBAHAN DATA DTKS".into()),
            Block::Fields(vec![
                ("Desa/kelurahan".into(), region_path(code)),
                (
                    kind_title(m.kind)
                        .to_lowercase()
                        .replace("berita acara ", "Berita acara "),
                    m.number.clone(),
                ),
                ("Jumlah".into(), format!("{} orang", rows.len())),
            ]),
            bnba_table(&rows),
        ],
        footer: format!("BNBA {}", m.number),
    })
    .await
}

/// The BNBA as a workbook.
pub async fn bnba_xlsx(ctx: &Ctx, m: &RatificationRecord) -> Result<Vec<u8>, AppError> {
    let rows = bnba(ctx, m).await?;
    let header: Vec<(String, ReportKind)> = [
        ("no", ReportKind::Count),
        ("usulan", ReportKind::Count),
        ("id_art", ReportKind::Code),
        ("nama", ReportKind::Text),
        ("nik", ReportKind::Code),
        ("no_kk", ReportKind::Code),
        ("alamat", ReportKind::Text),
        ("perubahan", ReportKind::Text),
        ("status_usulan", ReportKind::Text),
    ]
    .into_iter()
    .map(|(n, k)| (n.to_string(), k))
    .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.proposal_id.to_string(),
                r.id_art.clone(),
                r.nama.clone(),
                r.nik.clone(),
                r.no_kk.clone(),
                r.alamat.clone(),
                r.usulan.clone(),
                r.state.clone(),
            ]
        })
        .collect();
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join("bnba.xlsx");
    padu_io::write_report(&path, "BNBA", &header, &cells)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    std::fs::read(&path).map_err(|e| AppError::Internal(e.to_string()))
}

/// Takes the ratification step on every proposal the minutes list that is
/// still submitted to the deliberation, at the version now, all or nothing.
pub async fn ratify_all(ctx: &Ctx, id: i64) -> Result<Vec<padu_store::Proposal>, AppError> {
    let m = ctx.store().ratification(id).await?;
    let mut items = Vec::new();
    for pid in &m.proposal_ids {
        let p = ctx.store().proposal(*pid).await?;
        if p.state == padu_core::ProposalState::Diajukan {
            items.push((p.proposal_id, p.version));
        }
    }
    if items.is_empty() {
        return Err(AppError::BadRequest(
            Tr::new(ctx.lang()).get("minutes.nothing_to_ratify").into(),
        ));
    }
    let actor = ctx.actor();
    let action = padu_core::proposal::Action::Ratify(padu_core::Ratification {
        kind: m.kind,
        signed_scan_attached: false,
    });
    Ok(ctx
        .store()
        .take_proposal_steps(&ctx.step_ctx(&actor), &items, &action)
        .await?)
}
