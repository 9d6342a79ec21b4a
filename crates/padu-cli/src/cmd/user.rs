//! `padu user …`: accounts from the console (the first admin, scripts).

use std::process::ExitCode;

use anyhow::Context;
use padu_core::Lang;
use padu_server::console::{self, NewAccount};
use padu_store::Store;

use crate::cli::UserCommand;

pub(super) fn run(cmd: &UserCommand, db: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    super::block_on(async {
        let store = Store::connect(db)
            .await
            .with_context(|| format!("membuka basis data {}", super::redact(db)))?;
        match cmd {
            UserCommand::Add(a) => {
                let new = NewAccount {
                    username: a.username.clone(),
                    display_name: a.name.clone().unwrap_or_else(|| a.username.clone()),
                    role: a.role.clone(),
                    scope: a.wilayah.clone(),
                    phone: a.phone.clone(),
                    password: a.password.clone(),
                    must_change_password: !a.no_force_change,
                    lang,
                };
                let (u, password) = console::add_user(&store, &new).await?;
                out!(
                    "akun dibuat: {} ({}, {}) id {}",
                    u.username,
                    u.role.as_str(),
                    u.scope,
                    u.app_user_id
                );
                if a.password.is_none() {
                    out!("kata sandi awal: {password}");
                }
                if u.must_change_password {
                    out!("kata sandi harus diganti saat masuk pertama kali");
                }
            }
            UserCommand::List => {
                let users = console::users(&store).await?;
                out!(
                    "{:<6} {:<24} {:<20} {:<12} {:<8} nama",
                    "id",
                    "pengguna",
                    "peran",
                    "wilayah",
                    "status"
                );
                for u in users {
                    let status = if u.disabled_at.is_some() {
                        "nonaktif"
                    } else {
                        "aktif"
                    };
                    out!(
                        "{:<6} {:<24} {:<20} {:<12} {:<8} {}",
                        u.app_user_id,
                        u.username,
                        u.role.as_str(),
                        u.scope.to_string(),
                        status,
                        u.display_name
                    );
                }
            }
            UserCommand::Disable(a) => {
                let u = console::set_disabled(&store, &a.username, true).await?;
                out!(
                    "akun {} dinonaktifkan; sesi dan token API-nya berakhir",
                    u.username
                );
            }
            UserCommand::Enable(a) => {
                let u = console::set_disabled(&store, &a.username, false).await?;
                out!("akun {} aktif kembali", u.username);
            }
            UserCommand::ResetPassword(a) => {
                let password =
                    console::reset_password(&store, &a.username, a.password.clone(), lang).await?;
                if a.password.is_none() {
                    out!("kata sandi baru: {password}");
                }
                out!("kata sandi harus diganti saat masuk berikutnya; sesi lama berakhir");
            }
            UserCommand::Token(a) => {
                if a.list {
                    for t in console::tokens(&store, &a.username).await? {
                        let state = if t.revoked_at.is_some() {
                            "dicabut"
                        } else {
                            "aktif"
                        };
                        out!(
                            "{:<6} {:<24} {:<8} dibuat {}",
                            t.api_token_id,
                            t.name,
                            state,
                            t.created_at.format("%Y-%m-%d %H:%M")
                        );
                    }
                } else if let Some(id) = a.revoke {
                    console::revoke_token(&store, &a.username, id).await?;
                    out!("token {id} dicabut");
                } else {
                    let name = a.name.as_deref().unwrap_or("skrip");
                    let (t, token) = console::create_token(&store, &a.username, name).await?;
                    eprintln!(
                        "token {} untuk {} (simpan sekarang; tidak ditampilkan lagi):",
                        t.api_token_id, a.username
                    );
                    out!("{token}");
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
