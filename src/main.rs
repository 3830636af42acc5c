//! The `hitta` command: parses the command line and calls the library.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use hitta::config::Config;
use hitta::import::ImportOptions;

/// hitta: search Swedish web pages.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Config file (default: ./config.toml if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Index folder (overrides [index] dir).
    #[arg(long, global = true)]
    index: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import page dumps (.txt, .html, .htm) from files or folders into the index.
    Import {
        /// Files or folders (default: [import] dir).
        paths: Vec<PathBuf>,
        /// Remove documents whose file is gone.
        #[arg(long)]
        prune: bool,
        /// Start from an empty index.
        #[arg(long)]
        rebuild: bool,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Clean every indexed page again from its stored text (after a change of the
    /// cleaning rules), without reading the files.
    Reclean {
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Import what is new, then serve the search API and page over HTTP.
    Serve {
        /// Address to listen on (overrides [server] bind).
        #[arg(long)]
        bind: Option<String>,
        /// Serve the index as it is, without importing first.
        #[arg(long)]
        no_import: bool,
    },
    /// Search the index from the terminal.
    Search {
        /// The query.
        query: String,
        /// Number of hits.
        #[arg(long)]
        limit: Option<usize>,
        /// Print the answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show what an import would index, without touching the index.
    Clean {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// List every input line with keep/drop and the reason.
        #[arg(long)]
        explain: bool,
        /// One JSON object per page.
        #[arg(long)]
        json: bool,
    },
    /// Measure cleaning or ranking quality.
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Measure speed (see BENCHMARKS.md for the whole suite).
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Query latency in-process: p50/p95/p99 per query file, one thread, after a warm-up pass.
    Search {
        /// Query files, `qid<TAB>text` per line.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Timed passes over each file.
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        /// Hits per query.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Also time each file with snippets built for the hits.
        #[arg(long)]
        snippets: bool,
        /// One JSON object per file and mode.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Content-line precision/recall/F1 of cleaning against gold labels.
    Clean {
        /// Folder of page dumps.
        dir: PathBuf,
        /// gold.jsonl with content lines per file.
        #[arg(long, conflicts_with = "labels")]
        gold: Option<PathBuf>,
        /// Folder of `<name>.tsv` line labels (label TAB line).
        #[arg(long)]
        labels: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// nDCG@10, MRR@10, Recall@10/100 of ranked search against judged queries.
    Search {
        /// Queries, `qid<TAB>text` per line.
        #[arg(long)]
        queries: PathBuf,
        /// Judgements, TREC `qid 0 docid rel` (docid = file name without extension).
        #[arg(long)]
        qrels: PathBuf,
        /// Write the rankings as a TREC run file.
        #[arg(long)]
        runs: Option<PathBuf>,
        /// Hits per query: 100 for Recall@100; 10 scores what a results page shows.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// jemalloc rather than the system allocator: an import's decode, clean and indexing threads
/// allocate and free concurrently, and glibc's arenas made them wait on each other's locks
/// (45k bench pages: 0.80x the wall time, 0.83x the CPU; BENCHMARKS.md, session 13), while
/// the server's heap stays flat over `benches/soak.sh` without capping anything.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // `hitta search … | head` closing the pipe early is not an error.
        Err(e)
            if e.downcast_ref::<hitta::cli::CliError>().is_some_and(|c| {
                matches!(c, hitta::cli::CliError::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            // One line a user can act on, with the causes after it.
            let causes: Vec<String> = e.chain().skip(1).map(|c| c.to_string()).collect();
            if causes.is_empty() {
                eprintln!("hitta: {e}");
            } else {
                eprintln!("hitta: {e}: {}", causes.join(": "));
            }
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut cfg = Config::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(dir) = cli.index {
        cfg.index.dir = dir;
    }
    match cli.command {
        Command::Import {
            paths,
            prune,
            rebuild,
            json,
        } => {
            let opts = ImportOptions {
                paths,
                prune,
                rebuild,
                progress: !json,
            };
            hitta::cli::import(&cfg, &opts, json)?;
        }
        Command::Reclean { json } => hitta::cli::reclean(&cfg, json)?,
        Command::Serve { bind, no_import } => {
            if let Some(bind) = bind {
                cfg.server.bind = bind;
            }
            hitta::cli::serve(&cfg, no_import)?;
        }
        Command::Search { query, limit, json } => hitta::cli::search(&cfg, query, limit, json)?,
        Command::Clean {
            paths,
            explain,
            json,
        } => hitta::cli::clean(&cfg, &paths, explain, json)?,
        Command::Eval {
            what:
                EvalCommand::Clean {
                    dir,
                    gold,
                    labels,
                    json,
                },
        } => hitta::cli::eval_clean(&cfg, &dir, gold.as_deref(), labels.as_deref(), json)?,
        Command::Eval {
            what:
                EvalCommand::Search {
                    queries,
                    qrels,
                    runs,
                    limit,
                    json,
                },
        } => hitta::cli::eval_search(&cfg, &queries, &qrels, runs.as_deref(), limit, json)?,
        Command::Bench {
            what:
                BenchCommand::Search {
                    files,
                    repeat,
                    limit,
                    snippets,
                    json,
                },
        } => hitta::cli::bench_search(&cfg, &files, repeat, limit, snippets, json)?,
    }
    Ok(())
}
