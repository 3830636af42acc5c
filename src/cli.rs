//! The commands behind `main.rs`: each takes a loaded [`Config`] and prints its
//! result, human-readable or as JSON, so `main` only parses the command line.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;

use crate::config::{Config, ConfigError};
use crate::import::{self, ImportError, ImportOptions};
use crate::index::IndexError;
use crate::search::{SearchError, SearchRequest, Searcher};

/// Why a command failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Eval(#[from] crate::eval::search::EvalError),
    #[error(transparent)]
    EvalClean(#[from] crate::eval::clean::EvalError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Print a report for people, or as one JSON object with `json`.
fn print_report<R: std::fmt::Display + serde::Serialize>(
    report: &R,
    json: bool,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(report).unwrap_or_default())?;
    } else {
        write!(out, "{report}")?;
    }
    Ok(())
}

/// `hitta import`: print the report (JSON with `json`).
pub fn import(cfg: &Config, opts: &ImportOptions, json: bool) -> Result<(), CliError> {
    print_report(&import::run(cfg, opts)?, json)
}

/// `hitta reclean`: print the report (JSON with `json`).
pub fn reclean(cfg: &Config, json: bool) -> Result<(), CliError> {
    print_report(&import::reclean(cfg)?, json)
}

/// `hitta serve`: import what is new unless `no_import`, then answer HTTP until stopped.
pub fn serve(cfg: &Config, no_import: bool) -> Result<(), CliError> {
    if !no_import {
        let report = import::run(
            cfg,
            &ImportOptions {
                progress: true,
                ..Default::default()
            },
        )?;
        eprint!("{report}");
    }
    let app = Arc::new(crate::http::App::new(Searcher::open(&cfg.index.dir, cfg)?));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let addr = cfg.server.bind.clone();
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|source| CliError::Bind { addr: addr.clone(), source })?;
        let local: SocketAddr = listener.local_addr()?;
        if !local.ip().is_loopback() {
            eprintln!("warning: listening on {local}, reachable from other machines; hitta has no authentication");
        }
        eprintln!("hitta serves {} documents on http://{local}", app.searcher().stats().documents);
        crate::http::serve(listener, app).await?;
        Ok(())
    })
}

/// `hitta search`: the hits in the terminal, matches marked with `[` `]`.
pub fn search(cfg: &Config, q: String, limit: Option<usize>, json: bool) -> Result<(), CliError> {
    let searcher = Searcher::open(&cfg.index.dir, cfg)?;
    let answer = searcher.search(&SearchRequest {
        q,
        limit,
        offset: None,
        facets: None,
    })?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&answer).unwrap_or_default()
        )?;
        return Ok(());
    }
    let over = match answer.total_relation {
        crate::search::TotalRelation::Gte => "over ",
        crate::search::TotalRelation::Eq => "",
    };
    writeln!(
        out,
        "{over}{} hits ({:.1} ms)",
        answer.total, answer.took_ms
    )?;
    for (i, h) in answer.hits.iter().enumerate() {
        let mut marked = String::new();
        let mut at = 0;
        for [s, e] in &h.snippet.highlights {
            marked.push_str(&h.snippet.text[at..*s]);
            marked.push('[');
            marked.push_str(&h.snippet.text[*s..*e]);
            marked.push(']');
            at = *e;
        }
        marked.push_str(&h.snippet.text[at..]);
        writeln!(
            out,
            "{}. {}  ({}, score {:.2})\n   {}",
            i + 1,
            h.title,
            h.path,
            h.score,
            marked.replace('\n', " ")
        )?;
    }
    Ok(())
}

/// `hitta clean`: what an import of `paths` would index, without touching the index.
pub fn clean(cfg: &Config, paths: &[PathBuf], explain: bool, json: bool) -> Result<(), CliError> {
    let (files, skipped) = import::collect_files(paths, cfg.clean.mode)?;
    let mut out = std::io::stdout().lock();
    for s in &skipped {
        report_skip(&mut out, json, &s.path, &s.reason)?;
    }
    for (c, result) in import::clean_files(&files, cfg) {
        let page = match result {
            Ok(p) => p,
            Err(reason) => {
                report_skip(&mut out, json, &c.rel, &reason.to_string())?;
                continue;
            }
        };
        if json {
            let dropped: Vec<_> = page
                .dropped()
                .map(|d| json!({"line": d.line, "reason": d.reason}))
                .collect();
            let metadata: serde_json::Map<String, serde_json::Value> = page
                .metadata
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            let obj = json!({
                "path": page.path, "title": page.title, "text": page.text, "metadata": metadata,
                "language": page.language, "published": page.published, "updated": page.updated,
                "dropped": dropped,
            });
            writeln!(out, "{obj}")?;
            continue;
        }
        writeln!(out, "== {}", page.path)?;
        writeln!(out, "title:     {}", page.title)?;
        writeln!(
            out,
            "language:  {}",
            page.language.as_deref().unwrap_or("-")
        )?;
        writeln!(
            out,
            "published: {}",
            page.published.as_deref().unwrap_or("-")
        )?;
        writeln!(out, "updated:   {}", page.updated.as_deref().unwrap_or("-"))?;
        if !page.metadata.is_empty() {
            writeln!(out, "metadata:")?;
            for (k, v) in &page.metadata {
                writeln!(out, "  {k}: {v}")?;
            }
        }
        if explain {
            writeln!(out, "lines:")?;
            for d in &page.decisions {
                writeln!(
                    out,
                    "  {} {:<24} | {}",
                    if d.keep { "keep" } else { "drop" },
                    d.reason,
                    d.line
                )?;
            }
        } else {
            writeln!(out, "text:")?;
            for l in page.text.lines() {
                writeln!(out, "  {l}")?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

fn report_skip(out: &mut impl Write, json: bool, path: &str, reason: &str) -> std::io::Result<()> {
    if json {
        writeln!(out, "{}", json!({"path": path, "skipped": reason}))
    } else {
        writeln!(out, "== {path}\nskipped: {reason}\n")
    }
}

/// `hitta eval clean`: cleaning quality of a folder against gold content lines
/// (`--gold gold.jsonl`) or hand labels (`--labels DIR`).
pub fn eval_clean(
    cfg: &Config,
    dir: &std::path::Path,
    gold: Option<&std::path::Path>,
    labels: Option<&std::path::Path>,
    json: bool,
) -> Result<(), CliError> {
    let report = match (gold, labels) {
        (Some(g), _) => crate::eval::clean::run(dir, g, cfg)?,
        (None, Some(l)) => crate::eval::clean::run_labels(dir, l, cfg)?,
        (None, None) => return Err(CliError::Usage("give --gold FILE or --labels DIR".into())),
    };
    print_report(&report, json)
}

/// `hitta eval search`: ranking quality of the index against judged queries.
pub fn eval_search(
    cfg: &Config,
    queries: &std::path::Path,
    qrels: &std::path::Path,
    runs: Option<&std::path::Path>,
    limit: usize,
    json: bool,
) -> Result<(), CliError> {
    let searcher = Searcher::open(&cfg.index.dir, cfg)?;
    let mut file = match runs {
        Some(p) => Some(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => None,
    };
    let report = crate::eval::search::run(
        &searcher,
        queries,
        qrels,
        limit,
        file.as_mut().map(|f| f as &mut dyn Write),
    )?;
    print_report(&report, json)
}

/// `hitta bench search`: in-process query latency of each query file, without and
/// (with `snippets`) with snippets.
pub fn bench_search(
    cfg: &Config,
    files: &[PathBuf],
    passes: usize,
    limit: usize,
    snippets: bool,
    json: bool,
) -> Result<(), CliError> {
    let searcher = Searcher::open(&cfg.index.dir, cfg)?;
    let modes: &[bool] = if snippets { &[false, true] } else { &[false] };
    for file in files {
        for &with in modes {
            let report = crate::eval::latency::run(&searcher, file, passes, limit, with)?;
            if json {
                println!("{}", serde_json::to_string(&report).unwrap_or_default());
            } else {
                print!("{report}");
            }
        }
    }
    Ok(())
}
