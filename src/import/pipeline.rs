//! The import itself: hash, learn, then batches of decode → extract → clean on all cores
//! feeding a writer thread.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Instant;

use cpu_time::ProcessTime;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::cpu::{process_ms, Meter};
use super::files::{read_limited, site_of, Candidate};
use super::{ImportError, ImportOptions, ImportReport, Ready, Skipped, Stages};
use crate::clean::{self, CleanPage, SiteStats};
use crate::config::Config;
use crate::decode::{self, RawPage, SkipReason};
use crate::extract;
use crate::index::{
    HittaIndex, ImportLock, IndexError, PackedRaw, PageWriter, RawRef, RawSnapshot,
};

/// Pages cleaned and handed to the writer at a time, within a batch: small enough that
/// indexing the last part alone, after all cleaning is done, takes little time (a whole
/// 5,000-page batch was about 0.5 s of a 45k import with one core idle).
const SEND_PAGES: usize = 500;

/// What the writer thread is asked to do.
enum Op {
    Upsert(Box<Ready>),
    Delete(String),
}

/// CPU time per stage, measured on whichever thread does the work.
#[derive(Default)]
struct Meters {
    read: Meter,
    decode: Meter,
    clean: Meter,
}

impl Meters {
    fn stages(&self, cpu: ProcessTime) -> Stages {
        let (read, decode, clean) = (self.read.ms(), self.decode.ms(), self.clean.ms());
        Stages {
            read,
            decode,
            clean,
            index: process_ms(cpu).saturating_sub(read + decode + clean),
        }
    }
}

/// Import `opts.paths` (or the configured folder) into the configured index.
pub fn run(cfg: &Config, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let cpu = ProcessTime::now();
    let m = Meters::default();
    let paths = if opts.paths.is_empty() {
        vec![cfg.import.dir.clone()]
    } else {
        opts.paths.clone()
    };
    let (files, mut skipped) = super::collect_files(&paths, cfg.clean.mode)?;
    let _lock = ImportLock::acquire(&cfg.index.dir)?;
    let compression = cfg.index.store_compression;
    let index = match HittaIndex::open_or_create(&cfg.index.dir, opts.rebuild, compression) {
        Err(IndexError::Version { .. }) if !opts.rebuild => {
            HittaIndex::open_or_create(&cfg.index.dir, true, compression)?
        }
        other => other?,
    };
    let existing = index.existing()?;
    let mut report = ImportReport::default();

    // 1. Hash every file the index holds already, so unchanged ones cost nothing more.
    //    Bytes are not kept: the changed files are read again in their batch. A file new
    //    to the index is read once, in its batch, and hashed there.
    let bar = progress_bar(opts.progress, files.len(), "hashing");
    let hashes: Vec<Option<blake3::Hash>> = files
        .par_iter()
        .map(|c| {
            let h = existing.contains_key(&*c.rel).then(|| {
                m.read.time(|| {
                    read_limited(c, cfg.import.max_file_mb)
                        .ok()
                        .map(|b| blake3::hash(&b))
                })
            });
            bar.inc(1);
            h.flatten()
        })
        .collect();
    bar.finish_and_clear();
    // Unreadable files count as changed: their batch names the reason.
    let todo: Vec<(&Candidate, Option<&blake3::Hash>)> = files
        .iter()
        .zip(&hashes)
        .filter(|(c, h)| match (h, existing.get(&*c.rel)) {
            (Some(h), Some((old, root))) => {
                !(old.as_str() == h.to_hex().as_str() && **root == *c.root)
            }
            _ => true,
        })
        .map(|(c, h)| (c, h.as_ref()))
        .collect();
    report.unchanged = files.len() - todo.len();
    let seen: HashSet<&str> = files.iter().map(|c| &*c.rel).collect();
    let to_prune: Vec<String> = if opts.prune {
        let roots: HashSet<&str> = files
            .iter()
            .map(|c| &*c.root)
            .chain(paths.iter().filter_map(|p| p.to_str()))
            .collect();
        existing
            .iter()
            .filter(|(path, (_, root))| {
                roots.contains(root.as_str()) && !seen.contains(path.as_str())
            })
            .map(|(path, _)| path.clone())
            .collect()
    } else {
        Vec::new()
    };
    if todo.is_empty() && to_prune.is_empty() {
        report.skipped = skipped;
        report.documents = existing.len() as u64;
        report.elapsed_ms = ms(started);
        report.cpu_ms = m.stages(cpu);
        return Ok(report);
    }

    // 2. Site statistics start from the indexed pages this import leaves as they are.
    let mut stats = SiteStats::with_sample(cfg.clean.repeat_sample_pages);
    if !todo.is_empty() {
        let replaced: HashSet<&str> = todo.iter().map(|(c, _)| &*c.rel).collect();
        let snapshot = index.raw_snapshot()?;
        learn_stored(
            &snapshot,
            &mut stats,
            &|r| !replaced.contains(r.path.as_str()),
            cfg,
            &m,
        )?;
    }

    // 3. Batches: read, decode, extract, count and clean on all cores while the writer
    //    thread indexes the batch before.
    let bar = progress_bar(opts.progress, todo.len(), "importing");
    let batch_pages = cfg.import.batch_pages.max(1);
    let written = with_writer(&index, cfg, |tx| {
        'batches: for batch in todo.chunks(batch_pages) {
            let loaded: Vec<Result<Loaded, SkipReason>> = batch
                .par_iter()
                .map(|&(c, h)| load_file(c, h, cfg, &m))
                .collect();
            m.clean.time(|| {
                for l in loaded.iter().flatten() {
                    stats.add_prepared(&l.prepared);
                }
            });
            // Cleaned and sent a part at a time, so that the writer starts on a batch
            // before all of it is clean: after the last part only that part is left to
            // index, not the whole batch (the statistics are the batch's either way).
            let mut loaded = loaded.into_iter();
            for part in batch.chunks(SEND_PAGES) {
                let cleaned: Vec<Result<Ready, SkipReason>> = loaded
                    .by_ref()
                    .take(part.len())
                    .collect::<Vec<_>>()
                    .into_par_iter()
                    .map(|l| {
                        let l = l?;
                        let page = m
                            .clean
                            .time(|| clean::clean_prepared(&l.prepared, &stats, &cfg.clean))?;
                        Ok(Ready {
                            page,
                            hash: l.hash,
                            root: String::new(),
                            site: l.site,
                            raw: PackedRaw::pack(&l.raw),
                            replaces: true,
                        })
                    })
                    .collect();
                let mut ops = Vec::with_capacity(part.len());
                for ((c, _), result) in part.iter().zip(cleaned) {
                    let previous = existing.contains_key(&*c.rel);
                    match result {
                        Ok(mut r) => {
                            r.root = c.root.to_string();
                            r.replaces = previous;
                            ops.push(Op::Upsert(Box::new(r)));
                            if previous {
                                report.updated += 1;
                            } else {
                                report.imported += 1;
                            }
                        }
                        Err(reason) => {
                            if previous {
                                ops.push(Op::Delete(c.rel.to_string()));
                                report.removed += 1;
                            }
                            skipped.push(Skipped {
                                path: c.rel.to_string(),
                                reason: reason.to_string(),
                            });
                        }
                    }
                }
                bar.inc(part.len() as u64);
                if tx.send(ops).is_err() {
                    break 'batches; // the writer failed; its error is returned
                }
            }
        }
        report.removed += to_prune.len();
        let _ = tx.send(to_prune.into_iter().map(Op::Delete).collect());
    });
    bar.finish_and_clear();
    written?;

    report.skipped = skipped;
    report.documents = documents(&index);
    report.elapsed_ms = ms(started);
    report.cpu_ms = m.stages(cpu);
    Ok(report)
}

/// `hitta reclean`: clean every indexed page again from its stored raw text, with the
/// current rules and statistics over all of them, without reading any file.
pub fn reclean(cfg: &Config) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let cpu = ProcessTime::now();
    let m = Meters::default();
    let _lock = ImportLock::acquire(&cfg.index.dir)?;
    let index = HittaIndex::open(&cfg.index.dir)?;
    let snapshot = index.raw_snapshot()?;
    let mut stats = SiteStats::with_sample(cfg.clean.repeat_sample_pages);
    learn_stored(&snapshot, &mut stats, &|_| true, cfg, &m)?;
    let mut report = ImportReport::default();
    let mut failed: Option<IndexError> = None;
    let written = with_writer(&index, cfg, |tx| {
        for batch in snapshot.pages.chunks(cfg.import.batch_pages.max(1)) {
            let refs: Vec<&RawRef> = batch.iter().collect();
            let stored = match snapshot.load(&refs) {
                Ok(s) => s,
                Err(e) => {
                    failed = Some(e);
                    return;
                }
            };
            let cleaned: Vec<(String, Result<Ready, SkipReason>)> = stored
                .into_par_iter()
                .map(|s| {
                    let path = s.path.clone();
                    let page = m.decode.time(|| extract::extract(stored_raw(&s)));
                    let r = page.and_then(|p| {
                        m.clean.time(|| {
                            let p = clean::prepare_for(p, s.site.clone(), &cfg.clean);
                            clean::clean_prepared(&p, &stats, &cfg.clean)
                        })
                    });
                    let r = r.map(|page| Ready {
                        page,
                        hash: s.hash,
                        root: s.root,
                        site: s.site,
                        raw: s.packed,
                        replaces: true,
                    });
                    (path, r)
                })
                .collect();
            let mut ops = Vec::with_capacity(cleaned.len());
            for (path, r) in cleaned {
                match r {
                    Ok(r) => {
                        ops.push(Op::Upsert(Box::new(r)));
                        report.updated += 1;
                    }
                    Err(reason) => {
                        ops.push(Op::Delete(path.clone()));
                        report.removed += 1;
                        report.skipped.push(Skipped {
                            path,
                            reason: reason.to_string(),
                        });
                    }
                }
            }
            if tx.send(ops).is_err() {
                return;
            }
        }
    });
    written?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    report.documents = documents(&index);
    report.elapsed_ms = ms(started);
    report.cpu_ms = m.stages(cpu);
    Ok(report)
}

/// Decode, extract and clean `files` the way an import does, without touching any
/// index: what `hitta clean` and `hitta eval clean` show. All pages are held at once
/// (statistics over all of them): meant for folders to look at, not whole crawls.
pub fn clean_files(
    files: &[Candidate],
    cfg: &Config,
) -> Vec<(Candidate, Result<CleanPage, SkipReason>)> {
    let m = Meters::default();
    let loaded: Vec<Result<Loaded, SkipReason>> = files
        .par_iter()
        .map(|c| load_file(c, None, cfg, &m))
        .collect();
    let mut stats = SiteStats::with_sample(cfg.clean.repeat_sample_pages);
    for l in loaded.iter().flatten() {
        stats.add_prepared(&l.prepared);
    }
    files
        .par_iter()
        .zip(loaded.into_par_iter())
        .map(|(c, l)| {
            let page = l.and_then(|l| clean::clean_prepared(&l.prepared, &stats, &cfg.clean));
            (c.clone(), page)
        })
        .collect()
}

/// A file read, decoded, extracted and prepared for cleaning.
struct Loaded {
    hash: String,
    /// The decoded text, stored so the page can be cleaned again later.
    raw: String,
    site: String,
    prepared: clean::Prepared,
}

/// Read, decode, extract and prepare one file; `known_hash` saves hashing it again
/// (should the file change in between, the next import sees a new hash and redoes it).
fn load_file(
    c: &Candidate,
    known_hash: Option<&blake3::Hash>,
    cfg: &Config,
    m: &Meters,
) -> Result<Loaded, SkipReason> {
    let bytes = m.read.time(|| read_limited(c, cfg.import.max_file_mb))?;
    let (hash, raw, page) = m.decode.time(|| -> Result<_, SkipReason> {
        let hash = known_hash.map_or_else(|| hash(&bytes), |h| h.to_hex().to_string());
        let raw = decode::decode(c.rel.to_string(), c.format, &bytes)?;
        let text = raw.text.clone();
        Ok((hash, text, extract::extract(raw)?))
    })?;
    drop(bytes);
    let site = site_of(&page, c);
    let prepared = m
        .clean
        .time(|| clean::prepare_for(page, site.clone(), &cfg.clean));
    Ok(Loaded {
        hash,
        raw,
        site,
        prepared,
    })
}

/// Count into `stats` up to its sample of the stored pages that `keep` accepts, a batch
/// at a time, skipping the sites whose sample is full.
fn learn_stored(
    snapshot: &RawSnapshot,
    stats: &mut SiteStats,
    keep: &dyn Fn(&RawRef) -> bool,
    cfg: &Config,
    m: &Meters,
) -> Result<(), IndexError> {
    let sample = cfg.clean.repeat_sample_pages;
    let mut taken: HashMap<&str, usize> = HashMap::new();
    let picked: Vec<&RawRef> = snapshot
        .pages
        .iter()
        .filter(|r| keep(r))
        .filter(|r| {
            let n = taken.entry(r.site.as_str()).or_default();
            *n += 1;
            sample == 0 || *n <= sample
        })
        .collect();
    for batch in picked.chunks(cfg.import.batch_pages.max(1)) {
        let stored = snapshot.load(batch)?;
        let prepared: Vec<clean::Prepared> = stored
            .into_par_iter()
            .filter_map(|s| {
                let page = m.decode.time(|| extract::extract(stored_raw(&s))).ok()?;
                Some(
                    m.clean
                        .time(|| clean::prepare_for(page, s.site, &cfg.clean)),
                )
            })
            .collect();
        m.clean.time(|| {
            for p in &prepared {
                stats.add_prepared(p);
            }
        });
    }
    Ok(())
}

fn stored_raw(s: &crate::index::RawStored) -> RawPage {
    RawPage {
        path: s.path.clone(),
        format: s.format,
        text: s.raw.clone(),
        encoding: "UTF-8",
    }
}

/// Run `produce` with a channel to a writer thread that applies each batch of
/// operations, commits every `commit_every` pages and finishes (commit, merges) when
/// the channel closes. A rendezvous channel: `produce` waits while the writer is busy,
/// so at most one batch is being written and one prepared.
fn with_writer(
    index: &HittaIndex,
    cfg: &Config,
    produce: impl FnOnce(&SyncSender<Vec<Op>>),
) -> Result<(), IndexError> {
    let writer = index.writer(cfg.index.writer_memory_mb, cfg.index.merge_max_docs)?;
    let commit_every = cfg.import.commit_every.max(1);
    let compact = cfg.index.compact_after_import;
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel(0);
        let handle = s.spawn(move || write_all(writer, rx, commit_every, compact));
        produce(&tx);
        drop(tx);
        handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn write_all(
    mut writer: PageWriter,
    rx: Receiver<Vec<Op>>,
    commit_every: usize,
    compact: bool,
) -> Result<(), IndexError> {
    let mut since_commit = 0;
    for ops in rx {
        for op in ops {
            match op {
                Op::Upsert(r) => {
                    writer.upsert(&r.page, &r.hash, &r.root, &r.site, &r.raw, r.replaces)?;
                    since_commit += 1;
                    if since_commit >= commit_every {
                        writer.commit()?;
                        since_commit = 0;
                    }
                }
                Op::Delete(path) => writer.delete(&path),
            }
        }
    }
    writer.finish(compact)
}

fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

fn documents(index: &HittaIndex) -> u64 {
    index
        .index
        .reader()
        .map(|r| r.searcher().num_docs())
        .unwrap_or(0)
}

fn progress_bar(enabled: bool, len: usize, msg: &'static str) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg:>9} [{bar:40}] {pos}/{len} files ({per_sec}, {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(msg);
    bar
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}
