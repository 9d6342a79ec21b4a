//! `padu serve`: the web application, until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::Context;
use padu_server::ServerConfig;
use padu_store::Store;

use crate::cli::ServeArgs;

pub(super) fn run(args: &ServeArgs, db: &str) -> anyhow::Result<ExitCode> {
    super::block_on(async {
        let store = Store::connect(db)
            .await
            .with_context(|| format!("membuka basis data {}", super::redact(db)))?;
        let users = store
            .users(padu_store::Scope::National)
            .await
            .context("membaca akun")?;
        if users.is_empty() {
            eprintln!(
                "padu: belum ada akun; buat admin pertama dengan \
                 `padu user add admin --role admin --wilayah nasional`"
            );
        }
        let cut_off = padu_core::CutOff::new(args.cut_off_day, &args.cut_off_time)
            .map_err(|e| anyhow::anyhow!("--cut-off-day/--cut-off-time: {e}"))?;
        let config = ServerConfig {
            cut_off,
            addr: args.addr,
            secure_cookies: args.secure_cookies,
            session_idle: chrono::Duration::minutes(args.session_minutes.max(1)),
            recheck_threads: args.threads,
            ..ServerConfig::default()
        };
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("membuka alamat {}", config.addr))?;
        let addr = listener.local_addr().context("membaca alamat")?;
        out!("Padu berjalan di http://{addr}/  (Ctrl-C untuk berhenti)");
        padu_server::serve_on(
            listener,
            store,
            config,
            padu_server::Clock::system(),
            shutdown_signal(),
        )
        .await
        .context("menjalankan server")?;
        eprintln!("padu: server berhenti");
        Ok(ExitCode::SUCCESS)
    })
}

/// Ctrl-C or SIGTERM (what `systemctl stop` and `kill` send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
