//! Import behaviour through the real binary: incremental re-import, prune, hostile
//! files, the writer lock, and a server that sees new commits without a restart.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

#[test]
fn reimport_updates_only_what_changed_and_prune_removes() {
    let tmp = tempfile::tempdir().unwrap();
    let dumps = tmp.path().join("dumps");
    copy_dir(&seeds(), &dumps);
    let index = tmp.path().join("index");

    let r = import(&index, &[&dumps], &[]);
    assert_eq!(
        (r["imported"].as_u64(), r["documents"].as_u64()),
        (Some(5), Some(5)),
        "{r}"
    );

    let r = import(&index, &[&dumps], &[]);
    assert_eq!(r["imported"], 0, "{r}");
    assert_eq!(r["updated"], 0, "{r}");
    assert_eq!(r["unchanged"], 5, "{r}");

    let edited = dumps.join("004_30b83a1f528b4103.txt");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text = text.replace("Inom projektet", "Inom projektet Zebrafinkarna");
    std::fs::write(&edited, text).unwrap();
    let r = import(&index, &[&dumps], &[]);
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(r["unchanged"], 4, "{r}");
    assert_eq!(r["documents"], 5, "{r}");

    let mut c = hitta(tmp.path());
    c.args(["search", "zebrafinkarna", "--json", "--index"])
        .arg(&index);
    let answer: Value = serde_json::from_slice(&ok(c).stdout).unwrap();
    assert_eq!(hit_paths(&answer), vec!["004_30b83a1f528b4103.txt"]);

    std::fs::remove_file(dumps.join("003_33fe084e53ab7db6.txt")).unwrap();
    let r = import(&index, &[&dumps], &[]);
    assert_eq!(r["removed"], 0, "without --prune nothing is removed: {r}");
    let r = import(&index, &[&dumps], &["--prune"]);
    assert_eq!(r["removed"], 1, "{r}");
    assert_eq!(r["documents"], 4, "{r}");

    // The human report names the counts.
    let mut c = hitta(tmp.path());
    c.arg("import").arg("--index").arg(&index).arg(&dumps);
    let out = String::from_utf8(ok(c).stdout).unwrap();
    assert!(out.contains("unchanged 4"), "{out}");
}

fn skipped_reason<'a>(report: &'a Value, path: &str) -> Option<&'a str> {
    report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == path)
        .map(|s| s["reason"].as_str().unwrap())
}

#[test]
fn every_hostile_file_is_imported_right_or_skipped_with_its_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let bad = shared("corpus/bad");
    let huge = tmp.path().join("huge");
    std::fs::create_dir_all(&huge).unwrap();
    let s =
        "Regeringen har beslutat om ett förslag till ändrat program för Europeiska socialfonden. ";
    std::fs::write(
        huge.join("huge-single-line.txt"),
        s.repeat(50_000_000 / s.len()),
    )
    .unwrap();

    let mut c = hitta(tmp.path());
    c.env("HITTA_IMPORT_MAX_FILE_MB", "20");
    c.arg("import")
        .arg("--json")
        .arg("--index")
        .arg(&index)
        .arg(&bad)
        .arg(&huge);
    let out = ok(c);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();

    let expected = std::fs::read_to_string(bad.join("expected.tsv")).unwrap();
    let server = Server::start(&index);
    let mut imported = 0;
    for row in expected.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (file, expect) = (cols[0], cols[1]);
        if file.starts_with("huge-single-line") {
            let reason =
                skipped_reason(&report, "huge-single-line.txt").expect("the huge file is named");
            assert!(
                reason.contains("too large") && reason.contains("20 MB"),
                "{reason}"
            );
            continue;
        }
        match expect {
            "skip" => {
                let reason = skipped_reason(&report, file)
                    .unwrap_or_else(|| panic!("{file} not in report: {report}"));
                let want: &[&str] = match file {
                    "empty.txt" => &["empty"],
                    "whitespace-only.txt" => &["no text"],
                    "image.png" | "dump-without-extension" => &["unsupported"],
                    "script-only.html" => &["no text"],
                    "boilerplate-only.txt" => &["no content"],
                    _ => &["binary"],
                };
                assert!(
                    want.iter().any(|w| reason.to_lowercase().contains(w)),
                    "{file}: {reason}"
                );
            }
            _ => {
                imported += 1;
                let (status, doc) = server.get(&format!("/documents/{}", encode(file)));
                assert_eq!(
                    status, 200,
                    "{file} must be imported: {doc} / report {report}"
                );
                let text = doc["text"].as_str().unwrap();
                assert!(!text.contains('\0') && !text.contains('\r'), "{file}");
                assert!(text.len() > 100, "{file}: {text:?}");
            }
        }
    }
    assert_eq!(report["imported"], imported, "{report}");

    let doc = |f: &str| server.get(&format!("/documents/{}", encode(f))).1;
    for f in [
        "latin1-no-declaration.txt",
        "declared-utf8-but-cp1252.html",
        "latin1-declared.html",
    ] {
        let text = doc(f)["text"].as_str().unwrap().to_string();
        assert!(!text.contains('\u{FFFD}'), "{f}: {text}");
        assert!(
            text.contains('ä') || text.contains('å') || text.contains('ö'),
            "{f}: {text}"
        );
    }
    assert_eq!(doc("english-page.txt")["language"], "en");
    for (f, le) in [("utf16le-bom.txt", true), ("utf16be-bom.txt", false)] {
        // std's own UTF-16 decoder is the reference.
        let bytes = std::fs::read(bad.join(f)).unwrap();
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        let reference = String::from_utf16(&units).unwrap().replace("\r\n", "\n");
        let text = doc(f)["text"].as_str().unwrap().to_string();
        assert!(text.lines().count() >= 2, "{f}: {text}");
        for line in text.lines() {
            assert!(
                reference.contains(line.trim()),
                "{f}: {line:?} is not in the original"
            );
        }
    }
    for q in ["skolfrånvaro", "arbetsmarknad"] {
        assert!(
            hit_paths(&server.search(q)).contains(&"control-chars.txt".to_string()),
            "{q}"
        );
    }
    let long = std::fs::read_to_string(bad.join("long-line.txt")).unwrap();
    let last_word = long
        .split_whitespace()
        .rev()
        .find(|w| w.chars().all(char::is_alphabetic) && w.len() > 6)
        .unwrap();
    assert!(
        hit_paths(&server.search(last_word)).contains(&"long-line.txt".to_string()),
        "{last_word}"
    );
    let names: Vec<String> = std::fs::read_dir(&bad)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let nfd = names
        .iter()
        .find(|n| n.contains('\u{308}') || n.contains('\u{30A}'))
        .expect("an NFD file name");
    assert_eq!(
        server.get(&format!("/documents/{}", encode(nfd))).0,
        200,
        "NFD name imported under its own bytes"
    );
    assert_eq!(
        server
            .get(&format!(
                "/documents/{}",
                encode("Fråga om bidrag – åäö ÅÄÖ.txt")
            ))
            .0,
        200
    );
    let deep = expected
        .lines()
        .find(|l| l.starts_with("nested/"))
        .unwrap()
        .split('\t')
        .next()
        .unwrap();
    assert_eq!(server.get(&format!("/documents/{}", encode(deep))).0, 200);
}

#[test]
fn a_second_import_fails_fast_while_the_first_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let dev = shared("corpus/dev");
    let mut first = hitta(tmp.path());
    first
        .arg("import")
        .arg("--json")
        .arg("--index")
        .arg(&index)
        .arg(&dev);
    first.stdout(std::process::Stdio::piped());
    let first = first.spawn().unwrap();
    let lock = index.join(".hitta-import.lock");
    assert!(
        eventually(Duration::from_secs(60), || std::fs::read_to_string(&lock)
            .is_ok_and(|s| !s.is_empty())),
        "first import takes the lock"
    );
    let mut second = hitta(tmp.path());
    second.arg("import").arg("--index").arg(&index).arg(seeds());
    let out = second.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("index is being written by another import (pid"),
        "{err}"
    );
    assert!(err.contains(&first.id().to_string()), "{err}");

    let out = first.wait_with_output().unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["imported"].as_u64().unwrap() > 4000, "{report}");
}

#[test]
fn a_running_server_sees_a_new_import_without_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    import(&index, &[&seeds()], &[]);
    let server = Server::start(&index);
    assert_eq!(server.search("regeringsuppdrag")["total"], 0);

    let extra = tmp.path().join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::write(
        extra.join("ny-sida.txt"),
        "Nya regler för sjöfart\n\nRegeringen ger Trafikverket ett regeringsuppdrag om sjöfart och hamnar i hela landet.\n",
    )
    .unwrap();
    let r = import(&index, &[&extra], &[]);
    assert_eq!(r["imported"], 1, "{r}");
    let seen = eventually(Duration::from_secs(10), || {
        server.search("regeringsuppdrag")["total"] == 1
    });
    assert!(seen, "the server picks up the commit");
    assert_eq!(server.get("/stats").1["documents"], 6);
}

#[test]
fn fatal_errors_exit_non_zero_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = hitta(tmp.path());
    c.arg("import")
        .arg("--index")
        .arg(tmp.path().join("i"))
        .arg(tmp.path().join("missing"));
    let out = c.output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file or folder"));

    let cfg = tmp.path().join("bad.toml");
    std::fs::write(&cfg, "[server]\nbind = 7\n").unwrap();
    let mut c = hitta(tmp.path());
    c.arg("import").arg("--config").arg(&cfg).arg(seeds());
    let out = c.output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("bind"), "{err}");

    let ro = tmp.path().join("ro");
    std::fs::write(&ro, "a file where the index folder should be").unwrap();
    let mut c = hitta(tmp.path());
    c.arg("import")
        .arg("--index")
        .arg(ro.join("index"))
        .arg(seeds());
    let out = c.output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not writable"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn reclean_cleans_stored_pages_again_and_single_pages_learn_from_the_index() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let r = import(&index, &[&seeds()], &[]);
    assert_eq!(r["imported"], 5);

    // Reclean works from the stored text: the files are not needed.
    let mut c = hitta(tmp.path());
    c.args(["reclean", "--json", "--index"]).arg(&index);
    let r: Value = serde_json::from_slice(&ok(c).stdout).unwrap();
    assert_eq!(r["updated"], 5, "{r}");
    assert_eq!(r["documents"], 5, "{r}");

    // A new page of a known site, imported on its own, is cleaned with what the index
    // knows of the site: a line repeated on the indexed pages is dropped although this
    // import holds a single page; in an empty index the same page keeps it. The site of
    // a text dump is its first folder under the imported one.
    let crawl = tmp.path().join("crawl");
    let site = crawl.join("exempelstad.se");
    std::fs::create_dir_all(&site).unwrap();
    let furniture = "Välkommen till Exempelstadens webbplats för alla som bor och verkar här";
    let body = |n: usize| {
        format!(
            "{furniture}\n\nNyhet nummer {n} om vägarbeten\n\nKommunen bygger om gata {n} under våren, \
             och trafiken leds om via ringleden medan arbetet pågår. Bussarna stannar vid tillfälliga hållplatser.\n"
        )
    };
    for n in 1..=4 {
        std::fs::write(site.join(format!("nyhet-{n}.txt")), body(n)).unwrap();
    }
    let site_index = tmp.path().join("site-index");
    import(&site_index, &[&crawl], &[]);
    let one = tmp.path().join("later");
    std::fs::create_dir_all(one.join("exempelstad.se")).unwrap();
    std::fs::write(one.join("exempelstad.se/nyhet-5.txt"), body(5)).unwrap();
    import(&site_index, &[&one], &[]);
    let alone = tmp.path().join("alone-index");
    import(&alone, &[&one], &[]);

    let text_in = |index: &std::path::Path| {
        let server = Server::start(index);
        let (status, doc) = server.get("/documents/exempelstad.se/nyhet-5.txt");
        assert_eq!(status, 200, "{doc}");
        doc["text"].as_str().unwrap().to_string()
    };
    let learnt = text_in(&site_index);
    assert!(
        learnt.contains("gata 5") && !learnt.contains(furniture),
        "{learnt}"
    );
    let single = text_in(&alone);
    assert!(
        single.contains(furniture),
        "alone, the line is not known to repeat: {single}"
    );
}

#[test]
fn clean_mode_off_keeps_every_line_and_text_mode_reads_html_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    for (mode, file, expect_in_text) in [
        ("off", "000_49fdefbf50581b3b.txt", "använder cookies"),
        (
            "auto",
            "000_49fdefbf50581b3b.txt",
            "Att genomföra sina studier",
        ),
        ("text", "old-extension.htm", "</"),
    ] {
        let index = tmp.path().join(format!("index-{mode}"));
        let dir = if file.ends_with(".htm") {
            shared("corpus/bad")
        } else {
            seeds()
        };
        let mut c = hitta(tmp.path());
        c.env("HITTA_CLEAN_MODE", mode)
            .arg("import")
            .arg("--json")
            .arg("--index")
            .arg(&index)
            .arg(dir.join(file));
        let report: Value = serde_json::from_slice(&ok(c).stdout).unwrap();
        assert_eq!(report["imported"], 1, "{mode}: {report}");
        let server = Server::start(&index);
        let (_, doc) = server.get(&format!("/documents/{}", encode(file)));
        let text = doc["text"].as_str().unwrap();
        assert!(text.contains(expect_in_text), "{mode}: {text}");
        if mode == "auto" {
            assert!(!text.contains("använder cookies"), "{text}");
        }
    }
}

#[test]
fn a_batched_import_learns_as_batches_arrive_and_reports_cpu_per_stage() {
    // Batches of two pages: the first batch has too few pages for a line to repeat
    // (3 pages needed), the later ones are cleaned with every page counted so far.
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("crawl").join("exempelstad.se");
    std::fs::create_dir_all(&site).unwrap();
    let furniture = "Välkommen till Exempelstadens webbplats för alla som bor och verkar här";
    for n in 1..=6 {
        let text = format!(
            "{furniture}\n\nNyhet nummer {n} om vägarbeten\n\nKommunen bygger om gata {n} under våren, \
             och trafiken leds om via ringleden medan arbetet pågår. Bussarna stannar vid tillfälliga hållplatser.\n"
        );
        std::fs::write(site.join(format!("nyhet-{n}.txt")), text).unwrap();
    }
    let index = tmp.path().join("index");
    let mut c = hitta(tmp.path());
    c.env("HITTA_IMPORT_BATCH_PAGES", "2")
        .args(["import", "--json", "--index"])
        .arg(&index)
        .arg(tmp.path().join("crawl"));
    let r: Value = serde_json::from_slice(&ok(c).stdout).unwrap();
    assert_eq!(r["imported"], 6, "{r}");
    assert_eq!(r["documents"], 6, "{r}");
    let cpu = &r["cpu_ms"];
    for stage in ["read", "decode", "clean", "index"] {
        assert!(cpu[stage].is_u64(), "{stage} missing: {r}");
    }
    assert!(cpu["index"].as_u64().unwrap() > 0, "{r}");

    let server = Server::start(&index);
    let text = |n: usize| {
        let (status, doc) = server.get(&format!("/documents/exempelstad.se/nyhet-{n}.txt"));
        assert_eq!(status, 200, "{doc}");
        doc["text"].as_str().unwrap().to_string()
    };
    assert!(
        text(1).contains(furniture),
        "first batch: not yet known to repeat"
    );
    for n in 3..=6 {
        let t = text(n);
        assert!(
            t.contains(&format!("gata {n}")) && !t.contains(furniture),
            "{t}"
        );
    }
}

/// Commits every two pages leave one small segment or more per commit; the import merges
/// them before it ends, so queries visit one segment, and the pages are all there.
#[test]
fn an_import_ends_with_its_small_segments_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let import_into = |name: &str, compact: &str| -> (std::path::PathBuf, Vec<Value>) {
        let index = tmp.path().join(name);
        let mut c = hitta(tmp.path());
        c.env("HITTA_IMPORT_COMMIT_EVERY", "2")
            .env("HITTA_INDEX_COMPACT_AFTER_IMPORT", compact)
            .args(["import", "--json", "--index"])
            .arg(&index)
            .arg(seeds());
        let r: Value = serde_json::from_slice(&ok(c).stdout).unwrap();
        assert_eq!(r["imported"], 5, "{r}");
        assert_eq!(r["documents"], 5, "{r}");
        let meta: Value =
            serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap()).unwrap();
        (index, meta["segments"].as_array().unwrap().clone())
    };
    // Without the final merge, three commits leave a segment or more each.
    let (_, kept) = import_into("uncompacted", "false");
    assert!(kept.len() >= 3, "{kept:?}");
    let (index, segments) = import_into("index", "true");
    assert_eq!(segments.len(), 1, "{segments:?}");
    assert_eq!(segments[0]["max_doc"], 5, "{segments:?}");
    let server = Server::start(&index);
    assert!(!hit_paths(&server.search("kommun")).is_empty());
}

/// `index.store_compression` decides how a new index stores its pages; an existing index
/// keeps its own, and both answer the same searches.
#[test]
fn store_compression_applies_to_new_indexes() {
    let tmp = tempfile::tempdir().unwrap();
    let import_into = |index: &std::path::Path, compression: &str, rebuild: bool| -> String {
        let mut c = hitta(tmp.path());
        c.env("HITTA_INDEX_STORE_COMPRESSION", compression)
            .args(["import", "--json", "--index"])
            .arg(index);
        if rebuild {
            c.arg("--rebuild");
        }
        c.arg(seeds());
        ok(c);
        let meta: Value =
            serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap()).unwrap();
        meta["index_settings"]["docstore_compression"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let plain = tmp.path().join("plain");
    assert_eq!(import_into(&plain, "none", false), "none");
    // Re-run on the same index: nothing new, the index keeps what it was created with.
    assert_eq!(import_into(&plain, "lz4", false), "none");
    let packed = tmp.path().join("packed");
    assert_eq!(import_into(&packed, "lz4", false), "lz4");
    assert_eq!(import_into(&packed, "none", true), "none");
    let a = hit_paths(&Server::start(&plain).search("kommun"));
    let b = hit_paths(&Server::start(&packed).search("kommun"));
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

/// A file the importing user may not read is skipped with the system's reason, and the
/// rest is imported (exit 0). Root reads every file, so as root the import runs as the
/// `nobody` user (setpriv, from util-linux).
#[cfg(unix)]
#[test]
fn an_unreadable_file_is_skipped_with_its_reason() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Command;
    let tmp = tempfile::tempdir().unwrap();
    let dumps = tmp.path().join("dumps");
    copy_dir(&seeds(), &dumps);
    let locked = dumps.join("locked.txt");
    std::fs::write(&locked, "Den här sidan får ingen läsa, inte ens hitta.\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let index = tmp.path().join("index");
    let uid = Command::new("id").arg("-u").output().expect("id -u");
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let mut c = if root {
        // nobody may not reach the build folder (a clone under /root): run a copy of the binary.
        let bin = tmp.path().join("hitta");
        std::fs::copy(env!("CARGO_BIN_EXE_hitta"), &bin).unwrap();
        let chown = Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(tmp.path())
            .status()
            .expect("chown");
        assert!(chown.success());
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_hitta"))
    };
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("HITTA_")) {
        c.env_remove(k);
    }
    c.current_dir(tmp.path())
        .args(["import", "--json", "--index"])
        .arg(&index)
        .arg(&dumps);
    let out = c
        .output()
        .expect("run hitta (as root: setpriv must be installed)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["imported"], 5, "{r}");
    let skipped = r["skipped"].as_array().unwrap();
    let reason = skipped
        .iter()
        .find(|s| s["path"] == "locked.txt")
        .unwrap_or_else(|| panic!("locked.txt not in the report: {r}"))["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("ermission denied"), "{reason}");
}
