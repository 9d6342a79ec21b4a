//! The progress dashboard as the pages and the API both use it: a region's
//! kept counts, the regions below it ranked by the share of findings
//! resolved, its history, and the time left to its cut-off.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use padu_core::{Lang, Period, ProposalState, RegionCode, Zone};
use padu_io::ReportKind;
use padu_store::{ProgressCounts, ProgressDay, Scope};

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::view::{date, region_name};

/// How far back the progress chart looks.
const HISTORY_DAYS: i64 = 92;

/// One region below the dashboard's, with its place in the ranking.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// 1 for the region that resolved the largest share of its findings.
    pub rank: usize,
    /// The region.
    pub region: RegionCode,
    /// Its name.
    pub name: String,
    /// Its counts.
    pub counts: ProgressCounts,
}

/// Everything a dashboard shows for one region.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The region; `None` for the whole country.
    pub region: Option<RegionCode>,
    /// Its name.
    pub name: String,
    /// Its counts.
    pub counts: ProgressCounts,
    /// The regions below it, best share of findings resolved first.
    pub ranked: Vec<Ranked>,
    /// Its counts per day, oldest first.
    pub history: Vec<ProgressDay>,
    /// Its time zone (WIB for the whole country).
    pub zone: Zone,
    /// The period a correction sent now belongs to.
    pub period: Period,
    /// When that period closes.
    pub closes_at: DateTime<Utc>,
    /// The server's clock when the dashboard was read.
    pub now: DateTime<Utc>,
}

/// The region a `wilayah` value names, inside the caller's scope (empty: the
/// whole scope; outside it or unreadable: not found, so nothing leaks).
pub fn parse_region(ctx: &Ctx, wilayah: &str) -> Result<Option<RegionCode>, AppError> {
    if wilayah.trim().is_empty() {
        return Ok(None);
    }
    let code = RegionCode::parse(wilayah).map_err(|_| AppError::NotFound)?;
    if !ctx.store().covers(code) {
        return Err(AppError::NotFound);
    }
    Ok(Some(code))
}

/// Reads the dashboard of the caller's scope, or of a region inside it.
pub async fn dashboard(ctx: &Ctx, region: Option<RegionCode>) -> Result<Dashboard, AppError> {
    let store = ctx.store();
    let region = region.or(match ctx.scope() {
        Scope::National => None,
        Scope::Region(r) => Some(r),
    });
    let counts = store.progress(region).await?;
    let mut ranked: Vec<Ranked> = store
        .progress_children(region)
        .await?
        .into_iter()
        .filter_map(|c| {
            let r = c.region?;
            Some(Ranked {
                rank: 0,
                region: r,
                name: region_name(r),
                counts: c.counts,
            })
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.counts
            .resolved_permille()
            .cmp(&a.counts.resolved_permille())
            .then(b.counts.findings.cmp(&a.counts.findings))
            .then(a.region.cmp(&b.region))
    });
    for (i, r) in ranked.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    let (zone, period, closes_at, now) = cut_off(ctx, region);
    let since = (now - Duration::days(HISTORY_DAYS)).date_naive();
    let history = store.progress_history(region, since).await?;
    Ok(Dashboard {
        region,
        name: crate::view::scope_name(region.map_or(Scope::National, Scope::Region), ctx.lang()),
        counts,
        ranked,
        history,
        zone,
        period,
        closes_at,
        now,
    })
}

/// A region's time zone (WIB for the whole country), the period a correction
/// sent now belongs to, when that period closes, and the server's clock now.
pub fn cut_off(
    ctx: &Ctx,
    region: Option<RegionCode>,
) -> (Zone, Period, DateTime<Utc>, DateTime<Utc>) {
    let state = ctx.state();
    let now = state.now();
    let config = state.config();
    let zone = region
        .and_then(|r| config.zones.zone(r))
        .unwrap_or(Zone::Wib);
    let period = config.cut_off.period_of(now, zone);
    (zone, period, config.cut_off.closes_at(period, zone), now)
}

/// "3 hari 4 jam lagi" until `closes_at`, or that the cut-off has passed.
pub fn time_left(closes_at: DateTime<Utc>, now: DateTime<Utc>, lang: Lang) -> String {
    let t = Tr::new(lang);
    let left = closes_at - now;
    if left <= Duration::zero() {
        return t.get("dashboard.closed").to_string();
    }
    let (days, hours, minutes) = (
        left.num_days(),
        left.num_hours() % 24,
        left.num_minutes() % 60,
    );
    t.get("dashboard.left")
        .replace("{days}", &days.to_string())
        .replace("{hours}", &hours.to_string())
        .replace("{minutes}", &minutes.to_string())
}

/// A share in per mille as "57,1%" (Indonesian) or "57.1%".
pub fn percent(permille: i64, lang: Lang) -> String {
    let s = format!("{}.{}%", permille / 10, permille % 10);
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

/// The progress chart: the share of findings resolved, and resolved or under
/// way, per day, as an SVG drawn on the server (no script, a few hundred bytes).
pub fn chart_svg(history: &[ProgressDay], lang: Lang) -> Option<String> {
    let (first, last) = (history.first()?, history.last()?);
    let span = (last.day - first.day).num_days().max(1) as f64;
    let (w, h, left, top, bottom) = (640.0, 220.0, 44.0, 12.0, 30.0);
    let plot_w = w - left - 12.0;
    let plot_h = h - top - bottom;
    let x = |d: &ProgressDay| left + plot_w * ((d.day - first.day).num_days() as f64 / span);
    let y = |n: i64, of: i64| {
        let share = if of == 0 { 1.0 } else { n as f64 / of as f64 };
        top + plot_h * (1.0 - share)
    };
    // Steps: a day's count holds until the next day with a change.
    let line = |value: &dyn Fn(&ProgressDay) -> i64| {
        let mut pts = Vec::new();
        for (i, d) in history.iter().enumerate() {
            let yv = y(value(d), d.findings);
            if i > 0 {
                pts.push(format!(
                    "{:.1},{:.1}",
                    x(d),
                    y(value(&history[i - 1]), history[i - 1].findings)
                ));
            }
            pts.push(format!("{:.1},{yv:.1}", x(d)));
        }
        if history.len() == 1 {
            pts.push(format!(
                "{:.1},{:.1}",
                left + plot_w,
                y(value(last), last.findings)
            ));
        }
        pts.join(" ")
    };
    let t = Tr::new(lang);
    let mut grid = String::new();
    for pct in [0, 25, 50, 75, 100] {
        let gy = top + plot_h * (1.0 - f64::from(pct) / 100.0);
        grid.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{gy:.1}\" x2=\"{:.1}\" y2=\"{gy:.1}\" class=\"grid\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{pct}%</text>",
            left + plot_w,
            left - 6.0,
            gy + 4.0
        ));
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-label=\"{label}\" class=\"chart\">{grid}\
         <polyline points=\"{under_way}\" class=\"line-open\"/>\
         <polyline points=\"{resolved}\" class=\"line-done\"/>\
         <text x=\"{left}\" y=\"{ty:.1}\" class=\"axis\">{from}</text>\
         <text x=\"{tx:.1}\" y=\"{ty:.1}\" class=\"axis\" text-anchor=\"end\">{to}</text></svg>",
        label = t.get("dashboard.chart_label"),
        under_way = line(&|d| d.resolved + d.in_progress),
        resolved = line(&|d| d.resolved),
        ty = h - 8.0,
        tx = left + plot_w,
        from = date(first.day),
        to = date(last.day),
    ))
}

/// The tables a dashboard offers as files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// The regions below, ranked.
    Ranking,
    /// The day-by-day history.
    History,
}

impl Table {
    /// From the `tabel` query value.
    pub fn parse(s: &str) -> Option<Table> {
        match s {
            "" | "peringkat" | "ranking" => Some(Table::Ranking),
            "riwayat" | "history" => Some(Table::History),
            _ => None,
        }
    }
}

fn count_columns(prefix: &[(&str, ReportKind)]) -> Vec<(String, ReportKind)> {
    let mut h: Vec<(String, ReportKind)> =
        prefix.iter().map(|(n, k)| ((*n).to_string(), *k)).collect();
    for n in ["jumlah_anggota", "temuan", "selesai"] {
        h.push((n.into(), ReportKind::Count));
    }
    h.push(("persen_selesai".into(), ReportKind::Percent));
    for n in ["dalam_proses", "belum_diusulkan"] {
        h.push((n.into(), ReportKind::Count));
    }
    h
}

fn count_cells(c: &ProgressCounts) -> Vec<String> {
    vec![
        c.people.to_string(),
        c.findings.to_string(),
        c.resolved.to_string(),
        format!("{:.4}", c.resolved_permille() as f64 / 1000.0),
        c.in_progress.to_string(),
        c.untouched().to_string(),
    ]
}

/// One dashboard table as a CSV or XLSX download, with the same numbers as the page.
pub async fn export(
    ctx: &Ctx,
    region: Option<RegionCode>,
    table: Table,
    format: &str,
) -> Result<Response, AppError> {
    let (ext, mime) = crate::view::table_format(format)?;
    let d = dashboard(ctx, region).await?;
    let (sheet, header, rows) = match table {
        Table::Ranking => {
            let mut header = count_columns(&[
                ("peringkat", ReportKind::Count),
                ("kode_wilayah", ReportKind::Code),
                ("nama_wilayah", ReportKind::Text),
            ]);
            for s in ProposalState::ALL {
                header.push((format!("usulan_{}", s.as_str()), ReportKind::Count));
            }
            let rows = d
                .ranked
                .iter()
                .map(|r| {
                    let mut row = vec![r.rank.to_string(), r.region.to_string(), r.name.clone()];
                    row.extend(count_cells(&r.counts));
                    row.extend(r.counts.proposals.iter().map(ToString::to_string));
                    row
                })
                .collect::<Vec<_>>();
            ("peringkat", header, rows)
        }
        Table::History => {
            let header = count_columns(&[("tanggal", ReportKind::Text)]);
            let rows = d
                .history
                .iter()
                .map(|h| {
                    let c = ProgressCounts {
                        people: h.people,
                        findings: h.findings,
                        resolved: h.resolved,
                        in_progress: h.in_progress,
                        proposals: [0; 9],
                    };
                    let mut row = vec![h.day.to_string()];
                    row.extend(count_cells(&c));
                    row
                })
                .collect::<Vec<_>>();
            ("riwayat", header, rows)
        }
    };
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join(format!("{sheet}.{ext}"));
    let written = path.clone();
    tokio::task::spawn_blocking(move || padu_io::write_report(&written, sheet, &header, &rows))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let body = std::fs::read(&path).map_err(|e| AppError::Internal(e.to_string()))?;
    let code = d
        .region
        .map_or_else(|| "nasional".to_string(), |r| r.compact());
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"dasbor-{sheet}-{code}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}
