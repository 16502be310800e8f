use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use quicksight_local::{Args, Emulator, Store, router, tls};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    args.check().map_err(anyhow::Error::msg)?;
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();

    let store = match &args.state {
        Some(path) if path.exists() => {
            let raw = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Store::from_json(&raw).with_context(|| format!("parsing state file {}", path.display()))?
        }
        _ => Store::default(),
    };
    let emu = Arc::new(Emulator::new(&args, store));
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.host, args.port))?;
    let address = listener.local_addr()?;
    let tls = match args.tls {
        true => {
            let ca_file = args
                .tls_ca_file
                .clone()
                .unwrap_or_else(|| std::env::temp_dir().join(format!("quicksight-local-{}-ca.pem", address.port())));
            Some((tls::server_config(&args.host, &ca_file)?, ca_file))
        }
        false => None,
    };
    // The first line on stdout tells scripts and tests where to connect (useful with --port 0);
    // with --tls the second says which CA certificate to trust.
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("quicksight-local listening on {scheme}://{address}");
    if let Some((_, ca_file)) = &tls {
        println!("quicksight-local CA certificate {}", ca_file.display());
    }

    let saver = emu.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if let Err(e) = saver.save_if_dirty() {
                tracing::error!(error = %e, "could not save the state file");
            }
        }
    });
    let app = router(emu.clone());
    match tls {
        Some((config, _)) => {
            let listener = tls::TlsListener::new(listener, config)?;
            axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?
        }
        None => axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?,
    }
    emu.save_if_dirty().context("saving the state file")?;
    Ok(())
}

async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
