//! Crash safety: an import or a server killed with SIGKILL leaves an index that opens,
//! keeps every document committed before the kill, and a re-run completes it without
//! duplicates.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use hitta::index::HittaIndex;

/// Paths of the live documents, and how many live documents there are: a path twice
/// would make the count larger than the set.
fn committed(index: &Path) -> Option<(HashSet<String>, u64)> {
    let idx = HittaIndex::open(index).ok()?;
    let paths: HashSet<String> = idx.existing().ok()?.into_keys().collect();
    let docs = idx.index.reader().ok()?.searcher().num_docs();
    Some((paths, docs))
}

/// 300 dev pages in a folder of their own.
fn pages(to: &Path) -> usize {
    std::fs::create_dir_all(to).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(shared("corpus/dev"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    for p in names.iter().take(300) {
        std::fs::copy(p, to.join(p.file_name().unwrap())).unwrap();
    }
    300
}

#[test]
fn an_import_killed_at_any_point_keeps_its_commits_and_a_rerun_completes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dumps = tmp.path().join("dumps");
    let total = pages(&dumps);
    // Kill at several points after the first commit: mid-batch, mid-commit, later.
    for (round, delay_ms) in [0u64, 40, 150, 400].into_iter().enumerate() {
        let index = tmp.path().join(format!("index-{round}"));
        let mut c = hitta(tmp.path());
        c.env("HITTA_IMPORT_COMMIT_EVERY", "20")
            .env("HITTA_IMPORT_BATCH_PAGES", "10")
            .args(["import", "--json", "--index"])
            .arg(&index)
            .arg(&dumps)
            .stdout(std::process::Stdio::null());
        let mut child = c.spawn().unwrap();
        let started = Instant::now();
        let mut before = None;
        while started.elapsed() < Duration::from_secs(120) {
            if let Some((paths, docs)) = committed(&index) {
                if docs > 0 {
                    before = Some(paths);
                    break;
                }
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished_anyway = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let before = before.expect("the import committed something before the kill");

        let (after, docs) = committed(&index).expect("the index opens after SIGKILL");
        eprintln!(
            "round {round}: killed {delay_ms} ms after the first commit ({} committed then, {} after, finished: {finished_anyway})",
            before.len(),
            after.len()
        );
        assert!(
            before.is_subset(&after),
            "round {round}: committed documents lost"
        );
        assert_eq!(after.len() as u64, docs, "round {round}: a document twice");
        assert!(
            finished_anyway || (docs as usize) < total,
            "round {round}: killed mid-import"
        );

        // Re-running the same import finishes it, skipping what is committed.
        let r = import(&index, &[&dumps], &[]);
        let (paths, docs) = committed(&index).unwrap();
        assert_eq!(
            paths.len(),
            docs as usize,
            "round {round}: duplicates after re-run"
        );
        assert_eq!(docs, r["documents"].as_u64().unwrap(), "round {round}: {r}");
        let skipped = r["skipped"].as_array().unwrap().len();
        assert_eq!(docs as usize + skipped, total, "round {round}: {r}");
        assert_eq!(
            r["unchanged"].as_u64().unwrap() as usize,
            after.len(),
            "round {round}: the committed pages are not redone: {r}"
        );
    }
}

#[test]
fn a_server_killed_under_load_restarts_on_the_same_index() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    import(&index, &[&seeds()], &[]);
    let server = Server::start(&index);
    let base = server.base.clone();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = answered.clone();
    let load = std::thread::spawn(move || {
        for i in 0.. {
            // Other queries each time, so the server searches instead of answering from
            // its cache.
            let url = format!("{base}/search?q=skola+projekt+{i}&limit=5");
            match ureq::get(&url).call() {
                Ok(_) => counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
                Err(_) => break, // the server is gone
            };
        }
    });
    // Killed once it is busy answering (however slow the machine), queries in flight.
    assert!(
        eventually(Duration::from_secs(60), || answered
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 20),
        "the load reached the server before the kill"
    );
    drop(server); // SIGKILL while queries are in flight
    load.join().unwrap();

    let again = Server::start(&index);
    let (status, body) = again.get("/health");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["documents"], 5);
    assert!(again.search("Karlskoga")["total"].as_u64().unwrap() > 0);
}
