//! Cleaning evaluation: the kept lines of every page of a folder, cleaned the way an
//! import cleans them (statistics learnt over the whole folder first), against gold
//! content lines (`gold.jsonl`) or hand labels (`labels/*.tsv`).
//!
//! Lines are compared as multisets after [`compare_key`] (NFC, white space collapsed,
//! leading bullets removed). Metadata is compared as (key, value) pairs after the same
//! normalisation; title and dates exactly (title normalised).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::clean::normalize::compare_key;
use crate::clean::{self, CleanPage, SiteStats};
use crate::config::Config;
use crate::decode::{self, Format, SkipReason};
use crate::extract::{self, ExtractedPage};

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: bad gold record: {msg}")]
    Gold {
        path: PathBuf,
        line: usize,
        msg: String,
    },
}

/// Precision / recall counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: Prf) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Boilerplate that leaked into the kept text (kept lines that are not gold content).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Leaks {
    pub cookie: usize,
    pub skip_link: usize,
    pub feedback: usize,
    pub related_heading: usize,
    pub stale_notice: usize,
}

/// A correct/total count.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Acc {
    pub correct: usize,
    pub total: usize,
}

impl Acc {
    fn push(&mut self, ok: bool) {
        self.total += 1;
        self.correct += ok as usize;
    }
    pub fn rate(&self) -> f64 {
        ratio(self.correct, self.total)
    }
}

/// One page that went worst, for a look with `hitta clean --explain`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PageScore {
    pub file: String,
    pub f1: f64,
    pub fp: usize,
    pub fn_: usize,
}

/// The result of an evaluation.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CleanReport {
    pub pages: usize,
    /// Pages skipped by decode/extract/clean (file → reason).
    pub skipped: Vec<(String, String)>,
    pub lines: Prf,
    pub per_template: BTreeMap<String, Prf>,
    pub per_format: BTreeMap<String, Prf>,
    /// `None` when the gold has no metadata (labels).
    pub metadata: Option<Prf>,
    pub title: Option<Acc>,
    pub published: Option<Acc>,
    pub updated: Option<Acc>,
    pub leaks: Leaks,
    pub worst: Vec<PageScore>,
    /// Seconds spent in clean (statistics + cleaning), without reading and decoding.
    pub clean_seconds: f64,
    /// Where the repetition statistics came from: `folder` (all pages, as an import),
    /// `template` (only the pages of the page's own template) or `single` (none: every
    /// page cleaned alone). Chosen with `HITTA_EVAL_STATS`.
    pub stats: String,
}

/// Where the repetition statistics of an evaluation come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsMode {
    /// Learnt over the whole folder, as an import does.
    Folder,
    /// Learnt per gold template (generalisation check: no help from other templates).
    Template,
    /// None: every page cleaned alone, as a site with one page in an import.
    Single,
}

impl StatsMode {
    /// `HITTA_EVAL_STATS=folder|template|single` (default `folder`).
    pub fn from_env() -> StatsMode {
        match std::env::var("HITTA_EVAL_STATS").as_deref() {
            Ok("template") => StatsMode::Template,
            Ok("single") => StatsMode::Single,
            _ => StatsMode::Folder,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StatsMode::Folder => "folder",
            StatsMode::Template => "template",
            StatsMode::Single => "single",
        }
    }
}

/// What the gold says about one page.
#[derive(Debug, Clone, Default)]
struct Gold {
    file: String,
    template: String,
    format: String,
    content: Vec<String>,
    title: Option<String>,
    metadata: Option<Vec<(String, String)>>,
    published: Option<Option<String>>,
    updated: Option<Option<String>>,
}

/// Evaluate the pages of `dir` against `gold` (`gold.jsonl` of the dev corpus).
pub fn run(dir: &Path, gold: &Path, cfg: &Config) -> Result<CleanReport, EvalError> {
    let text = std::fs::read_to_string(gold).map_err(|e| EvalError::Read {
        path: gold.into(),
        source: e,
    })?;
    let mut golds = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |msg: String| EvalError::Gold {
            path: gold.into(),
            line: n + 1,
            msg,
        };
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let opt = |k: &str| v.get(k).map(|x| x.as_str().map(str::to_string));
        let metadata = v.get("metadata").and_then(|m| m.as_object()).map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        });
        golds.push(Gold {
            file: s("file").ok_or_else(|| bad("no `file`".into()))?,
            template: s("template").unwrap_or_default(),
            format: s("format").unwrap_or_default(),
            content: v
                .get("content_lines")
                .and_then(|c| c.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            title: s("title"),
            metadata,
            published: opt("published"),
            updated: opt("updated"),
        });
    }
    Ok(evaluate(dir, golds, cfg))
}

/// Evaluate the pages of `dir` against hand labels: `labels_dir/<name>.tsv` with
/// `label<TAB>line` rows; gold content = the rows labelled `content`.
pub fn run_labels(dir: &Path, labels_dir: &Path, cfg: &Config) -> Result<CleanReport, EvalError> {
    let rd = std::fs::read_dir(labels_dir).map_err(|e| EvalError::Read {
        path: labels_dir.into(),
        source: e,
    })?;
    let mut names: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    names.sort();
    let mut golds = Vec::new();
    for p in names {
        let stem = p
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let Some(file) = ["txt", "html", "htm"]
            .iter()
            .map(|e| format!("{stem}.{e}"))
            .find(|f| dir.join(f).is_file())
        else {
            continue;
        };
        let text = std::fs::read_to_string(&p).map_err(|e| EvalError::Read {
            path: p.clone(),
            source: e,
        })?;
        let content = text
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(lab, _)| *lab == "content")
            .map(|(_, line)| line.to_string())
            .collect();
        let format = if file.ends_with(".txt") {
            "txt"
        } else {
            "html"
        };
        golds.push(Gold {
            file,
            template: "labels".into(),
            format: format.into(),
            content,
            ..Default::default()
        });
    }
    Ok(evaluate(dir, golds, cfg))
}

/// Decode and extract one file as the importer does.
fn load(dir: &Path, file: &str, use_stages: bool) -> Result<ExtractedPage, SkipReason> {
    let bytes = std::fs::read(dir.join(file)).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    let lower = file.to_lowercase();
    let format = if lower.ends_with(".txt") {
        Format::Text
    } else {
        Format::Html
    };
    if use_stages {
        return decode::decode(file.to_string(), format, &bytes).and_then(extract::extract);
    }
    if format == Format::Html {
        return Err(SkipReason::Unsupported);
    }
    Ok(clean::text_page(file, &fallback_decode(&bytes)))
}

/// Text decoding for when the decode stage is not available yet: UTF-8 (BOM removed),
/// else windows-1252; CRLF/CR to LF.
fn fallback_decode(bytes: &[u8]) -> String {
    let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let s = match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(b).0.into_owned(),
    };
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Are the decode and extract stages implemented (not `todo!()`)?
fn stages_ready() -> bool {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let ok = std::panic::catch_unwind(|| {
        decode::decode("probe.txt".into(), Format::Text, b"Hej\nhopp")
            .and_then(extract::extract)
            .is_ok()
    })
    .unwrap_or(false);
    std::panic::set_hook(prev);
    ok
}

fn evaluate(dir: &Path, golds: Vec<Gold>, config: &Config) -> CleanReport {
    let cfg = &config.clean;
    let use_stages = stages_ready();
    if !use_stages {
        eprintln!("note: decode/extract not ready, reading .txt files directly and skipping HTML");
    }
    let pages: Vec<Result<ExtractedPage, SkipReason>> = golds
        .iter()
        .map(|g| load(dir, &g.file, use_stages))
        .collect();
    let mode = StatsMode::from_env();
    let t0 = std::time::Instant::now();
    let pages: Vec<Result<clean::Prepared, SkipReason>> = pages
        .into_iter()
        .map(|p| p.map(|p| clean::prepare(p, cfg)))
        .collect();
    let cleaned: Vec<Result<CleanPage, SkipReason>> = match mode {
        StatsMode::Folder => {
            // As an import does: batches, each cleaned with the statistics of the pages
            // so far and its own.
            let mut stats = SiteStats::with_sample(cfg.repeat_sample_pages);
            let mut out = Vec::with_capacity(pages.len());
            let mut pages = pages.into_iter().peekable();
            while pages.peek().is_some() {
                let batch: Vec<_> = pages
                    .by_ref()
                    .take(config.import.batch_pages.max(1))
                    .collect();
                for p in batch.iter().flatten() {
                    stats.add_prepared(p);
                }
                out.extend(
                    batch
                        .into_iter()
                        .map(|p| p.and_then(|p| clean::clean_prepared(&p, &stats, cfg))),
                );
            }
            out
        }
        StatsMode::Template => {
            let mut by_template: HashMap<&str, SiteStats> = HashMap::new();
            for (g, p) in golds.iter().zip(&pages) {
                if let Ok(p) = p {
                    by_template
                        .entry(g.template.as_str())
                        .or_default()
                        .add_prepared(p);
                }
            }
            golds
                .iter()
                .zip(pages)
                .map(|(g, p)| {
                    p.and_then(|p| {
                        clean::clean_prepared(&p, &by_template[g.template.as_str()], cfg)
                    })
                })
                .collect()
        }
        StatsMode::Single => {
            let empty = SiteStats::default();
            pages
                .into_iter()
                .map(|p| p.and_then(|p| clean::clean_prepared(&p, &empty, cfg)))
                .collect()
        }
    };
    let mut r = CleanReport {
        clean_seconds: t0.elapsed().as_secs_f64(),
        stats: mode.name().to_string(),
        ..Default::default()
    };
    let has_meta = golds.iter().any(|g| g.metadata.is_some());
    let mut meta = Prf::default();
    let (mut title, mut published, mut updated) = (Acc::default(), Acc::default(), Acc::default());
    let mut scores = Vec::new();
    // HITTA_EVAL_DUMP=FILE: write every false positive / false negative line there.
    let dump = std::env::var_os("HITTA_EVAL_DUMP")
        .and_then(|p| std::fs::File::create(p).ok())
        .map(|f| std::sync::Mutex::new(std::io::BufWriter::new(f)));
    for (g, c) in golds.iter().zip(cleaned) {
        if matches!(c, Err(SkipReason::Unsupported)) {
            continue;
        }
        r.pages += 1;
        let empty = CleanPage {
            path: g.file.clone(),
            format: Format::Text,
            title: String::new(),
            text: String::new(),
            metadata: Vec::new(),
            published: None,
            updated: None,
            language: None,
            decisions: Vec::new(),
        };
        let page = match c {
            Ok(p) => p,
            Err(e) => {
                r.skipped.push((g.file.clone(), e.to_string()));
                empty
            }
        };
        let kept: Vec<&str> = page
            .decisions
            .iter()
            .filter(|d| d.keep)
            .map(|d| d.line.as_str())
            .collect();
        let (prf, fps) = compare_lines(&kept, &g.content);
        if let Some(dump) = &dump {
            use std::io::Write;
            let mut d = dump.lock().unwrap();
            for l in &fps {
                let _ = writeln!(d, "FP\t{}\t{}\t{}", g.template, g.file, l);
            }
            let kept_keys: Vec<String> = kept.iter().map(|l| compare_key(l)).collect();
            let (_, fns) = multiset_prf(
                &g.content
                    .iter()
                    .map(|l| compare_key(l))
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>(),
                &kept_keys,
            );
            for l in &fns {
                let reason = page
                    .decisions
                    .iter()
                    .find(|d| compare_key(&d.line) == *l)
                    .map(|d| d.reason.as_str())
                    .unwrap_or("?");
                let _ = writeln!(d, "FN\t{}\t{}\t{}\t{}", g.template, g.file, reason, l);
            }
        }
        for l in fps {
            count_leak(&mut r.leaks, &l);
        }
        r.lines.add(prf);
        r.per_template
            .entry(g.template.clone())
            .or_default()
            .add(prf);
        r.per_format.entry(g.format.clone()).or_default().add(prf);
        scores.push(PageScore {
            file: g.file.clone(),
            f1: prf.f1(),
            fp: prf.fp,
            fn_: prf.fn_,
        });
        if let Some(gm) = &g.metadata {
            let norm = |(k, v): &(String, String)| (compare_key(k), compare_key(v));
            let ours: Vec<(String, String)> = page.metadata.iter().map(norm).collect();
            let theirs: Vec<(String, String)> = gm.iter().map(norm).collect();
            meta.add(multiset_prf(&ours, &theirs).0);
        }
        if let Some(t) = &g.title {
            let ok = compare_key(t) == compare_key(&page.title);
            title.push(ok);
            if let (false, Some(dump)) = (ok, &dump) {
                use std::io::Write;
                let mut d = dump.lock().unwrap();
                let _ = writeln!(
                    d,
                    "TITLE\t{}\t{}\t{}\t{}",
                    g.template, g.file, t, page.title
                );
            }
        }
        if let Some(p) = &g.published {
            published.push(*p == page.published);
        }
        if let Some(u) = &g.updated {
            updated.push(*u == page.updated);
        }
    }
    if has_meta {
        r.metadata = Some(meta);
    }
    r.title = (title.total > 0).then_some(title);
    r.published = (published.total > 0).then_some(published);
    r.updated = (updated.total > 0).then_some(updated);
    scores.sort_by(|a, b| a.f1.partial_cmp(&b.f1).unwrap_or(std::cmp::Ordering::Equal));
    scores.truncate(15);
    r.worst = scores;
    r
}

/// Multiset comparison of kept lines with gold lines; also the false-positive lines.
fn compare_lines(kept: &[&str], gold: &[String]) -> (Prf, Vec<String>) {
    let ours: Vec<String> = kept
        .iter()
        .map(|l| compare_key(l))
        .filter(|l| !l.is_empty())
        .collect();
    let theirs: Vec<String> = gold
        .iter()
        .map(|l| compare_key(l))
        .filter(|l| !l.is_empty())
        .collect();
    multiset_prf(&ours, &theirs)
}

fn multiset_prf<T: std::hash::Hash + Eq + Clone>(ours: &[T], theirs: &[T]) -> (Prf, Vec<T>) {
    let mut left: HashMap<&T, usize> = HashMap::new();
    for t in theirs {
        *left.entry(t).or_insert(0) += 1;
    }
    let mut prf = Prf::default();
    let mut fps = Vec::new();
    for o in ours {
        match left.get_mut(o) {
            Some(n) if *n > 0 => {
                *n -= 1;
                prf.tp += 1;
            }
            _ => {
                prf.fp += 1;
                fps.push(o.clone());
            }
        }
    }
    prf.fn_ = left.values().sum();
    (prf, fps)
}

fn count_leak(l: &mut Leaks, line: &str) {
    let t = line.to_lowercase();
    if t.contains("kakor") || t.contains("cookie") {
        l.cookie += 1;
    }
    if [
        "hoppa till",
        "gå direkt till",
        "till innehåll",
        "till huvudinnehåll",
    ]
    .iter()
    .any(|p| t.starts_with(p))
    {
        l.skip_link += 1;
    }
    if [
        "hjälpte informationen",
        "var informationen till hjälp",
        "hittade du det du",
        "tack för din feedback",
    ]
    .iter()
    .any(|p| t.contains(p))
    {
        l.feedback += 1;
    }
    if [
        "relaterat",
        "relaterade tjänster",
        "relaterade kategorier",
        "läs också",
        "läs mer",
    ]
    .contains(&t.trim_end_matches(':'))
    {
        l.related_heading += 1;
    }
    if t.contains("äldre än") && t.contains("aktuell") {
        l.stale_notice += 1;
    }
}

fn row(f: &mut fmt::Formatter<'_>, name: &str, p: &Prf) -> fmt::Result {
    writeln!(
        f,
        "  {name:<22} P {:.4}  R {:.4}  F1 {:.4}   (tp {} fp {} fn {})",
        p.precision(),
        p.recall(),
        p.f1(),
        p.tp,
        p.fp,
        p.fn_
    )
}

impl fmt::Display for CleanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "pages: {} ({} skipped), clean time {:.2} s, statistics: {}",
            self.pages,
            self.skipped.len(),
            self.clean_seconds,
            self.stats
        )?;
        writeln!(f, "content lines:")?;
        row(f, "overall", &self.lines)?;
        for (k, p) in &self.per_format {
            row(f, &format!("format {k}"), p)?;
        }
        for (k, p) in &self.per_template {
            row(f, &format!("template {k}"), p)?;
        }
        if let Some(m) = &self.metadata {
            writeln!(f, "metadata pairs:")?;
            row(f, "key+value", m)?;
        }
        let acc = |f: &mut fmt::Formatter<'_>, n: &str, a: &Option<Acc>| match a {
            Some(a) => writeln!(
                f,
                "{n:<10} accuracy {:.4} ({}/{})",
                a.rate(),
                a.correct,
                a.total
            ),
            None => Ok(()),
        };
        acc(f, "title", &self.title)?;
        acc(f, "published", &self.published)?;
        acc(f, "updated", &self.updated)?;
        let l = &self.leaks;
        writeln!(
            f,
            "leaked into kept text: cookie {}, skip-link {}, feedback {}, related heading {}, stale notice {}",
            l.cookie, l.skip_link, l.feedback, l.related_heading, l.stale_notice
        )?;
        for (file, reason) in self.skipped.iter().take(10) {
            writeln!(f, "skipped {file}: {reason}")?;
        }
        writeln!(f, "worst pages:")?;
        for w in &self.worst {
            writeln!(
                f,
                "  {:<32} F1 {:.3} fp {} fn {}",
                w.file, w.f1, w.fp, w.fn_
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::CleanConfig;

    const CORPUS: &str = "/work/shared/corpus";

    #[test]
    fn seeds_floor() {
        let seeds = Path::new(CORPUS).join("seeds");
        if !seeds.is_dir() {
            return;
        }
        let r = run_labels(&seeds, &seeds.join("labels"), &Config::default()).unwrap();
        println!("{r}");
        assert_eq!(r.pages, 5);
        assert!(r.lines.f1() >= 0.95, "seed F1 {:.4}", r.lines.f1());
        assert_eq!(r.leaks.cookie + r.leaks.skip_link + r.leaks.feedback, 0);
    }

    #[test]
    fn multiset_counts() {
        let (p, fps) = compare_lines(
            &["• a", "b", "b", "c"],
            &["a".into(), "b".into(), "d".into()],
        );
        assert_eq!((p.tp, p.fp, p.fn_), (2, 2, 1));
        assert_eq!(fps, vec!["b".to_string(), "c".to_string()]);
    }

    /// `cargo test --release --lib eval::clean::tests::report -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn report() {
        let cfg = Config::default();
        let seeds = Path::new(CORPUS).join("seeds");
        println!(
            "== seeds (labels)\n{}",
            run_labels(&seeds, &seeds.join("labels"), &cfg).unwrap()
        );
        let dev = Path::new(CORPUS).join("dev");
        println!(
            "== dev (gold.jsonl)\n{}",
            run(&dev, &dev.join("gold.jsonl"), &cfg).unwrap()
        );
    }

    /// Print the decisions for the files named in `HITTA_EXPLAIN` (comma separated)
    /// of the folder `HITTA_DIR` (default: dev), cleaned with the whole folder.
    #[test]
    #[ignore]
    fn explain() {
        let dir = std::env::var("HITTA_DIR").unwrap_or_else(|_| format!("{CORPUS}/dev"));
        let dir = Path::new(&dir);
        let want: Vec<String> = std::env::var("HITTA_EXPLAIN")
            .unwrap_or_default()
            .split(',')
            .map(str::to_string)
            .collect();
        let use_stages = stages_ready();
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
            .filter(|n| n.ends_with(".txt") || n.ends_with(".html"))
            .collect();
        names.sort();
        let pages: Vec<ExtractedPage> = names
            .iter()
            .filter_map(|n| load(dir, n, use_stages).ok())
            .collect();
        let cfg = CleanConfig::default();
        let mut stats = SiteStats::default();
        for p in &pages {
            stats.add(p, &cfg);
        }
        for p in pages
            .iter()
            .filter(|p| want.iter().any(|w| p.path.contains(w.as_str())))
        {
            println!("===== {}", p.path);
            match clean::clean(p, &stats, &cfg) {
                Ok(c) => {
                    println!(
                        "title: {}\nmeta: {:?}\npublished {:?} updated {:?} lang {:?}",
                        c.title, c.metadata, c.published, c.updated, c.language
                    );
                    for d in &c.decisions {
                        let l: String = d.line.chars().take(110).collect();
                        println!(
                            "{} {:<22} | {}",
                            if d.keep { "+" } else { " " },
                            d.reason,
                            l
                        );
                    }
                }
                Err(e) => println!("skipped: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod acceptance {
    use super::*;
    use crate::clean::CleanConfig;

    fn folder(dir: &str) -> Vec<(String, Result<CleanPage, SkipReason>)> {
        let dir = Path::new(dir);
        let use_stages = stages_ready();
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
            .filter(|n| n.ends_with(".txt"))
            .collect();
        names.sort();
        let pages: Vec<ExtractedPage> = names
            .iter()
            .filter_map(|n| load(dir, n, use_stages).ok())
            .collect();
        let cfg = CleanConfig::default();
        clean::clean_all(&pages, &cfg)
            .into_iter()
            .zip(pages)
            .map(|(r, p)| (p.path, r))
            .collect()
    }

    #[test]
    fn seeds_come_out_clean() {
        if !Path::new("/work/shared/corpus/seeds").is_dir() {
            return;
        }
        let out = folder("/work/shared/corpus/seeds");
        assert_eq!(out.len(), 5);
        for (path, r) in &out {
            let p = r.as_ref().unwrap_or_else(|e| panic!("{path}: {e}"));
            for bad in [
                "använder cookies",
                "Hoppa till innehåll",
                "Hjälpte informationen dig",
                "Relaterade tjänster",
            ] {
                assert!(!p.text.contains(bad), "{path} keeps {bad:?}");
            }
            assert_eq!(p.language.as_deref(), Some("sv"), "{path}");
        }
        let p = out
            .iter()
            .find(|(p, _)| p.starts_with("000_"))
            .unwrap()
            .1
            .as_ref()
            .unwrap();
        let get = |k: &str| {
            p.metadata
                .iter()
                .find(|(mk, _)| mk == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("Diarienummer"), Some("22-010-S04"));
        assert_eq!(get("Projektägare"), Some("KARLSTADS KOMMUN"));
        assert_eq!(p.title, "22-010-S04 - Värmlands Skolsamverkan");
        let p = out
            .iter()
            .find(|(p, _)| p.starts_with("004_"))
            .unwrap()
            .1
            .as_ref()
            .unwrap();
        assert_eq!(
            p.title,
            "Projekt Vägar framåt – för ökad utbildningsnivå och hälsa bland unga"
        );
        assert_eq!(p.published.as_deref(), Some("2022-02-24"));
        let p = out
            .iter()
            .find(|(p, _)| p.starts_with("003_"))
            .unwrap()
            .1
            .as_ref()
            .unwrap();
        assert_eq!(
            p.title,
            "Många ungdomar tillbaka till studier tack vare projektet #jagmed"
        );
        assert_eq!(p.published.as_deref(), Some("2018-12-17"));
        assert_eq!(p.updated.as_deref(), Some("2018-12-17"));
    }

    fn one(name: &str) -> Result<CleanPage, SkipReason> {
        let dir = Path::new("/work/shared/corpus/bad");
        let page = load(dir, name, stages_ready())?;
        let mut stats = SiteStats::default();
        let cfg = CleanConfig::default();
        stats.add(&page, &cfg);
        clean::clean(&page, &stats, &cfg)
    }

    #[test]
    fn bad_inputs() {
        if !Path::new("/work/shared/corpus/bad").is_dir() {
            return;
        }
        let p = one("english-page.txt").unwrap();
        assert_eq!(p.language.as_deref(), Some("en"));
        match one("boilerplate-only.txt") {
            Err(SkipReason::NoContent(m)) => {
                assert!(m.starts_with("no content left after cleaning: all "), "{m}")
            }
            other => panic!("boilerplate-only: {:?}", other.map(|p| p.text)),
        }
        let p = one("long-line.txt").unwrap();
        assert!(p.text.len() > 800_000);
    }
}
