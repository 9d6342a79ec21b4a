//! The region browser: province → regency → district → village, with counts,
//! never above or beside the user's own region.

use askama::Template;
use axum::extract::Path;
use axum::response::Html;
use padu_core::{Lang, RegionCode, RegionLevel};
use padu_store::Scope;

use super::render;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::view::{Layout, count, region_name, scope_name};

/// One region below the one shown.
struct Child {
    code: String,
    name: String,
    people: String,
    households: String,
    leaf: bool,
}

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionsPage {
    l: Layout,
    crumbs: Vec<(String, String)>,
    here: String,
    people: String,
    households: String,
    status: Vec<(&'static str, String)>,
    members_href: String,
    child_level: String,
    children: Vec<Child>,
}

fn level_name(level: RegionLevel, lang: Lang) -> &'static str {
    match (level, lang) {
        (RegionLevel::Province, Lang::Id) => "Provinsi",
        (RegionLevel::Province, Lang::En) => "Provinces",
        (RegionLevel::Regency, Lang::Id) => "Kabupaten/kota",
        (RegionLevel::Regency, Lang::En) => "Regencies and cities",
        (RegionLevel::District, Lang::Id) => "Kecamatan",
        (RegionLevel::District, Lang::En) => "Districts",
        (RegionLevel::Village, Lang::Id) => "Desa/kelurahan",
        (RegionLevel::Village, Lang::En) => "Villages",
    }
}

pub(super) async fn browse_root(ctx: Ctx) -> Result<Html<String>, AppError> {
    show(ctx, None).await
}

pub(super) async fn browse(ctx: Ctx, Path(code): Path<String>) -> Result<Html<String>, AppError> {
    let code = RegionCode::parse(&code).map_err(|_| AppError::NotFound)?;
    if !ctx.store().covers(code) {
        return Err(AppError::NotFound);
    }
    show(ctx, Some(code)).await
}

async fn show(ctx: Ctx, region: Option<RegionCode>) -> Result<Html<String>, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let stats = ctx.store().stats(region).await?;
    let findings = ctx.store().finding_counts(region).await?;
    let here_scope = region.map_or(ctx.scope(), Scope::Region);
    // Breadcrumbs from the user's own region down to this one.
    let mut crumbs = vec![("/wilayah".to_string(), scope_name(ctx.scope(), lang))];
    if let Some(r) = region {
        for c in r.chain() {
            if ctx.store().covers(c) && Scope::Region(c) != ctx.scope() {
                crumbs.push((format!("/wilayah/{}", c.dotted()), region_name(c)));
            }
        }
    }
    let (child_level, children) = match stats.levels.first() {
        Some(level) => (
            level_name(level.level, lang).to_string(),
            level
                .regions
                .iter()
                .map(|r| Child {
                    code: r.code.dotted(),
                    name: region_name(r.code),
                    people: count(r.people, lang),
                    households: count(r.households, lang),
                    leaf: level.level == RegionLevel::Village,
                })
                .collect(),
        ),
        None => (String::new(), Vec::new()),
    };
    let members_href = match region {
        Some(r) => format!("/anggota?wilayah={}", r.dotted()),
        None => "/anggota?".to_string(),
    };
    render(&RegionsPage {
        l: Layout::new(&ctx, t.get("regions.title"), "regions"),
        here: scope_name(here_scope, lang),
        crumbs,
        people: count(stats.people, lang),
        households: count(stats.households, lang),
        status: findings
            .status
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| (s.as_str(), count(*n, lang)))
            .collect(),
        members_href,
        child_level,
        children,
    })
}
