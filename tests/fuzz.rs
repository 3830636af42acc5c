//! Fuzzing with generated inputs: decoding + extraction + cleaning of arbitrary bytes
//! (as text and as HTML), and arbitrary query strings through the searcher. Nothing
//! may panic; a query may only fail with an error that says what is wrong with it.
//!
//! In `cargo test` each target runs a few hundred cases. `benches/fuzz.sh` runs them for
//! minutes (`HITTA_FUZZ_SECONDS`). A failing input is written to `tests/fuzz-regressions/`
//! and replayed by every later run.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use hitta::clean::{self, CleanConfig, SiteStats};
use hitta::config::Config;
use hitta::decode::{self, Format};
use hitta::extract;
use hitta::search::{SearchError, SearchRequest, Searcher};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestError, TestRunner};

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions")
}

/// Run `check` on generated values for the configured time (or a few hundred cases),
/// after replaying the saved failures of `target`.
fn fuzz<S: Strategy>(
    target: &str,
    strategy: S,
    to_bytes: impl Fn(&S::Value) -> Vec<u8>,
    from_bytes: impl Fn(&[u8]) -> S::Value,
    check: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let mut replayed = 0;
    if let Ok(dir) = std::fs::read_dir(regressions()) {
        for e in dir.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(&format!("{target}-")) {
                let bytes = std::fs::read(e.path()).unwrap();
                check(from_bytes(&bytes)).unwrap_or_else(|e| panic!("{name}: {e}"));
                replayed += 1;
            }
        }
    }
    let seconds: u64 = std::env::var("HITTA_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let started = Instant::now();
    let mut cases = 0u64;
    loop {
        let mut runner = TestRunner::new(RunnerConfig {
            cases: 256,
            failure_persistence: None,
            ..RunnerConfig::default()
        });
        match runner.run(&strategy, &check) {
            Ok(()) => {}
            Err(TestError::Fail(why, value)) => {
                let bytes = to_bytes(&value);
                let name = format!(
                    "{target}-{}.bin",
                    blake3::hash(&bytes)
                        .to_hex()
                        .as_str()
                        .get(..16)
                        .unwrap_or("x")
                );
                let _ = std::fs::create_dir_all(regressions());
                let _ = std::fs::write(regressions().join(&name), &bytes);
                panic!("{target}: {why} on {value:?} (saved as tests/fuzz-regressions/{name})");
            }
            Err(e) => panic!("{target}: {e}"),
        }
        cases += 256;
        if started.elapsed() >= Duration::from_secs(seconds) {
            break;
        }
    }
    eprintln!(
        "fuzz {target}: {cases} cases in {:.1} s, {replayed} saved inputs replayed",
        started.elapsed().as_secs_f64()
    );
}

/// Bytes that look like page dumps often enough to reach deep into cleaning: markup,
/// Swedish words, keys with colons, dates, lines glued together, control characters.
fn page_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just("<div class=\"cookie\">".to_string()),
        Just("</div>".to_string()),
        Just("<p>".to_string()),
        Just("<html lang=\"sv\"><head><title>".to_string()),
        Just("</title></head><body>".to_string()),
        Just("<nav><ul><li><a href=\"/\">Start</a></li></ul></nav>".to_string()),
        Just("<script>var x = '<p>';</script>".to_string()),
        Just("<!--".to_string()),
        Just("&amp;&#xD800;&#0;&nbsp;&lt;".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("Diarienummer:".to_string()),
        Just("Publicerad 2024-02-30".to_string()),
        Just("Senast uppdaterad: 31 december 1999".to_string()),
        Just("Vi använder kakor (cookies) på webbplatsen.".to_string()),
        Just("StartKommun och politikPress och nyheter".to_string()),
        Just("Skolan erbjuder stöd till elever med hög frånvaro under läsåret.".to_string()),
        Just("Tel 08-465 004 12, e-post info@exempel.se".to_string()),
        Just("\u{0}\u{1b}\u{feff}\u{200b}\r".to_string()),
        "[a-zåäöA-ZÅÄÖ0-9 .,:;!?\"'()*-]{0,40}",
        any::<String>(),
    ];
    prop_oneof![
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..400),
    ]
}

#[test]
fn decode_extract_and_clean_never_panic() {
    let cfg = CleanConfig::default();
    for format in [Format::Text, Format::Html] {
        let target = format!("page-{format:?}").to_lowercase();
        fuzz(
            &target,
            page_bytes(),
            |b| b.clone(),
            |b| b.to_vec(),
            |bytes| {
                let Ok(raw) = decode::decode("fuzz.txt".into(), format, &bytes) else {
                    return Ok(());
                };
                let nul = raw.text.contains(char::from(0));
                prop_assert!(!nul, "NUL left in the decoded text");
                let Ok(page) = extract::extract(raw) else {
                    return Ok(());
                };
                let mut stats = SiteStats::default();
                stats.add(&page, &cfg);
                stats.add(&page, &cfg);
                if let Ok(p) = clean::clean(&page, &stats, &cfg) {
                    prop_assert_eq!(p.decisions.len(), page.lines.len());
                }
                Ok(())
            },
        );
    }
}

fn searcher() -> &'static Searcher {
    static S: OnceLock<(tempfile::TempDir, Searcher)> = OnceLock::new();
    &S.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let index = tmp.path().join("index");
        common::import(&index, &[&common::seeds()], &[]);
        let mut cfg = Config::default();
        cfg.index.dir = index.clone();
        let s = Searcher::open(&index, &cfg).unwrap();
        (tmp, s)
    })
    .1
}

/// Query strings built from the query language's pieces and arbitrary text.
fn query() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_string()),
        Just("-".to_string()),
        Just("*".to_string()),
        Just(":".to_string()),
        Just("title:".to_string()),
        Just("site:".to_string()),
        Just("lang:".to_string()),
        Just("published:>=".to_string()),
        Just("updated:<".to_string()),
        Just("2023-01-01".to_string()),
        Just("2023-13-45".to_string()),
        Just("region:\"Norra Mellansverige\"".to_string()),
        Just("skol*".to_string()),
        Just(" ".to_string()),
        Just("Karlskoga".to_string()),
        Just("skolfrånvaro".to_string()),
        Just("harnosand".to_string()),
        Just("OR AND NOT ( ) [ ] { } ^ ~ \\".to_string()),
        "[a-zåäö]{1,12}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

#[test]
fn any_query_is_answered_or_refused_with_a_reason() {
    let s = searcher();
    fuzz(
        "query",
        query(),
        |q| q.clone().into_bytes(),
        |b| String::from_utf8_lossy(b).into_owned(),
        |q| {
            let req = SearchRequest {
                q,
                limit: Some(20),
                offset: None,
                facets: None,
            };
            match s.search(&req) {
                Ok(answer) => {
                    prop_assert!(answer.hits.len() <= 20);
                    for h in &answer.hits {
                        let t = &h.snippet.text;
                        for [a, b] in &h.snippet.highlights {
                            let ok = a <= b
                                && *b <= t.len()
                                && t.is_char_boundary(*a)
                                && t.is_char_boundary(*b);
                            prop_assert!(ok, "highlight {}..{} outside the snippet", a, b);
                        }
                    }
                }
                Err(SearchError::Internal(e)) => {
                    return Err(TestCaseError::fail(format!("internal error: {e}")))
                }
                Err(_) => {}
            }
            Ok(())
        },
    );
}
