//! The scope audit: the crate's own sources, parsed, show that every public
//! database operation either takes a [`Scope`](crate::Scope) or is listed here with the
//! reason it needs none.
//!
//! Every query is async (sqlx), so "a database operation" is a public
//! `async fn` (or one returning `impl Future`), wherever it is declared:
//! a method of `Store` or `Import`, a free function, a trait method. The
//! audit parses the sources with `syn` rather than matching text, so
//! formatting, `where` clauses or a new file cannot hide a function; a new
//! unscoped operation fails the test until it is listed, and a listed one
//! that gains a scope or disappears fails it until the list is cut.

use std::collections::BTreeSet;
use std::path::Path;

/// The public async functions that take no `Scope`, each with why.
const UNSCOPED: &[(&str, &str)] = &[
    ("Store::connect", "opens the database"),
    ("Store::connect_without_migrating", "opens the database"),
    ("Store::migrate", "changes the schema, reads no people"),
    ("Store::close", "closes the pool"),
    (
        "Store::recount_progress",
        "rewrites the derived progress counts from the records, returns nothing",
    ),
    (
        "Store::begin_registry_import",
        "opens an import, which only writes",
    ),
    (
        "Store::begin_civil_import",
        "opens an import, which only writes",
    ),
    ("Import::push", "writes to the import's staging table"),
    ("Import::finish", "merges the import, returns only counts"),
    ("Import::abort", "rolls the import back"),
    (
        "Store::periods",
        "the finalised periods: months, instants and counts, no people",
    ),
    (
        "Store::period",
        "one finalised period: a month, an instant and a count, no people",
    ),
    (
        "Store::finalise_period",
        "a national act of Pusdatin: writes one row and reads only a count",
    ),
    (
        "Import::preview",
        "counts what finish would do, then rolls back; returns only counts",
    ),
    (
        "Store::import_runs",
        "the import log: files and counts, no people",
    ),
    (
        "Store::verification_run",
        "a run's header: its scope and summary, no people",
    ),
    (
        "Store::user_for_sign_in",
        "signing in: the account is not known yet",
    ),
    (
        "Store::record_sign_in",
        "the sign-in log: usernames and addresses, no people",
    ),
    (
        "Store::failed_sign_ins",
        "counts failed sign-ins for throttling",
    ),
    (
        "Store::create_session",
        "starts the session of a signed-in account",
    ),
    (
        "Store::session",
        "finds the account behind a session cookie",
    ),
    ("Store::touch_session", "renews one session"),
    ("Store::delete_session", "signs one session out"),
    (
        "Store::user_for_api_token",
        "finds the account behind an API token",
    ),
    (
        "Store::set_user_lang",
        "the user's own page language, nothing else",
    ),
    (
        "Store::append_audit",
        "appends to the audit log, which only the scoped reads show",
    ),
    (
        "Store::latest_model",
        "the learnt model: weights, no people",
    ),
    ("Store::ping", "asks the database for nothing"),
    (
        "Store::refresh_statistics",
        "refreshes the planner's statistics, reads no people",
    ),
    (
        "Store::name_index_stale",
        "maintains the name-search index, which only scoped searches read",
    ),
    (
        "Store::set_name_tokens",
        "maintains the name-search index, which only scoped searches read",
    ),
    (
        "Store::load_civil",
        "the one national read: the civil-registry reference",
    ),
];

#[test]
fn every_public_async_fn_takes_a_scope_or_is_listed_with_its_reason() {
    let mut unscoped = BTreeSet::new();
    let mut files = 0;
    visit_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut |src| {
            files += 1;
            let file = syn::parse_file(src).expect("the crate's sources parse");
            collect_unscoped(&file.items, &mut unscoped);
        },
    );
    assert!(files > 5, "the audit read only {files} files");
    let listed: BTreeSet<String> = UNSCOPED.iter().map(|(f, _)| f.to_string()).collect();
    let unlisted: Vec<&String> = unscoped.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "{unlisted:?} take no Scope: add a `scope: Scope` argument, or list them in UNSCOPED with why"
    );
    let stale: Vec<&String> = listed.difference(&unscoped).collect();
    assert!(
        stale.is_empty(),
        "{stale:?} are listed in UNSCOPED but are no longer unscoped public async fns"
    );
}

fn visit_sources(dir: &Path, f: &mut dyn FnMut(&str)) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit_sources(&path, f);
        } else if path.extension().is_some_and(|e| e == "rs") {
            f(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// Adds `Type::name` (or `name` for a free function) of every public async fn without a `Scope` argument.
fn collect_unscoped(items: &[syn::Item], out: &mut BTreeSet<String>) {
    for item in items {
        match item {
            syn::Item::Fn(f) if is_public(&f.vis) => check(None, &f.sig, out),
            syn::Item::Impl(i) => {
                let owner = type_name(&i.self_ty);
                for item in &i.items {
                    if let syn::ImplItem::Fn(f) = item {
                        // A trait's methods are as public as the trait.
                        if i.trait_.is_some() || is_public(&f.vis) {
                            check(owner.as_deref(), &f.sig, out);
                        }
                    }
                }
            }
            syn::Item::Trait(t) if is_public(&t.vis) => {
                for item in &t.items {
                    if let syn::TraitItem::Fn(f) = item {
                        check(Some(&t.ident.to_string()), &f.sig, out);
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    collect_unscoped(items, out);
                }
            }
            _ => {}
        }
    }
}

fn check(owner: Option<&str>, sig: &syn::Signature, out: &mut BTreeSet<String>) {
    let returns_future = match &sig.output {
        syn::ReturnType::Type(_, ty) => mentions(ty, "Future"),
        syn::ReturnType::Default => false,
    };
    if sig.asyncness.is_none() && !returns_future {
        return;
    }
    let scoped = sig.inputs.iter().any(|arg| match arg {
        syn::FnArg::Typed(t) => mentions(&t.ty, "Scope"),
        syn::FnArg::Receiver(_) => false,
    });
    if !scoped {
        out.insert(match owner {
            Some(o) => format!("{o}::{}", sig.ident),
            None => sig.ident.to_string(),
        });
    }
}

fn is_public(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Whether the type names `ident` anywhere (a path segment, a generic argument, a bound).
fn mentions(ty: &syn::Type, ident: &str) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.iter().any(|s| {
            s.ident == ident
                || match &s.arguments {
                    syn::PathArguments::AngleBracketed(a) => a.args.iter().any(|g| match g {
                        syn::GenericArgument::Type(t) => mentions(t, ident),
                        _ => false,
                    }),
                    _ => false,
                }
        }),
        syn::Type::Reference(r) => mentions(&r.elem, ident),
        syn::Type::Slice(s) => mentions(&s.elem, ident),
        syn::Type::Array(a) => mentions(&a.elem, ident),
        syn::Type::Paren(p) => mentions(&p.elem, ident),
        syn::Type::Group(g) => mentions(&g.elem, ident),
        syn::Type::Tuple(t) => t.elems.iter().any(|t| mentions(t, ident)),
        syn::Type::ImplTrait(t) => t.bounds.iter().any(|b| match b {
            syn::TypeParamBound::Trait(t) => t.path.segments.iter().any(|s| s.ident == ident),
            _ => false,
        }),
        _ => false,
    }
}
