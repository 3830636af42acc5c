//! The five seed dumps, imported into a real index and served over real HTTP.

mod common;

use common::*;
use serde_json::Value;

const PROJECT: &str = "000_49fdefbf50581b3b.txt";
const KARLSKOGA: &str = "003_33fe084e53ab7db6.txt";

fn served_seeds() -> (tempfile::TempDir, Server) {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let report = import(&index, &[&seeds()], &[]);
    assert_eq!(report["imported"], 5, "{report}");
    assert_eq!(report["skipped"].as_array().unwrap().len(), 0, "{report}");
    let server = Server::start(&index);
    (tmp, server)
}

fn document(server: &Server, id: &str) -> Value {
    let (status, doc) = server.get(&format!("/documents/{}", encode(id)));
    assert_eq!(status, 200, "{doc}");
    doc
}

#[test]
fn seeds_are_cleaned_searched_and_highlighted() {
    let (_tmp, server) = served_seeds();
    let (status, stats) = server.get("/stats");
    assert_eq!(status, 200);
    assert_eq!(stats["documents"], 5, "{stats}");
    assert!(stats["index_bytes"].as_u64().unwrap() > 0);

    // Boilerplate is not indexed.
    let names: Vec<String> = std::fs::read_dir(seeds())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 5);
    let mut texts = Vec::new();
    for name in &names {
        let doc = document(&server, name);
        let text = doc["text"].as_str().unwrap().to_string();
        for banned in [
            "använder cookies för att säkerställa",
            "Hoppa till innehåll",
            "Hjälpte informationen dig",
            "Relaterade tjänster",
        ] {
            assert!(
                !text.contains(banned),
                "{name} still has {banned:?}:\n{text}"
            );
        }
        texts.push((name.clone(), text));
    }

    // Key/value blocks become metadata; the heading is the title.
    let doc = document(&server, PROJECT);
    assert_eq!(doc["title"], "22-010-S04 - Värmlands Skolsamverkan");
    assert_eq!(doc["metadata"]["Diarienummer"], "22-010-S04", "{doc}");
    assert_eq!(doc["metadata"]["Projektägare"], "KARLSTADS KOMMUN", "{doc}");
    assert!(!doc["text"].as_str().unwrap().contains("Diarienummer"));
    let keys: Vec<&String> = doc["metadata"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys[0], "Land som berörs",
        "metadata keeps page order: {keys:?}"
    );

    // "cookies" only appears in banners.
    assert_eq!(server.search("cookies")["total"], 0);

    // Inflections and case meet on one stem; matched words are highlighted.
    let say_it: Vec<&String> = texts
        .iter()
        .filter(|(_, t)| t.to_lowercase().contains("skolfrånvaro"))
        .map(|(n, _)| n)
        .collect();
    assert!(!say_it.is_empty());
    for q in ["skolfrånvaron", "Skolfrånvaro"] {
        let answer = server.search(q);
        let found = hit_paths(&answer);
        for name in &say_it {
            assert!(found.contains(name), "{q} misses {name}: {found:?}");
        }
        // Pages that say the word mark it; pages reached only through a compound part
        // of the query (skol-) rank below them and mark nothing.
        for (rank, hit) in answer["hits"].as_array().unwrap().iter().enumerate() {
            let text = hit["snippet"]["text"].as_str().unwrap();
            let ranges = hit["snippet"]["highlights"].as_array().unwrap();
            if say_it.iter().any(|n| hit["path"] == n.as_str()) {
                assert!(rank < say_it.len(), "{q}: {found:?}");
                assert!(!ranges.is_empty(), "no highlight in {hit}");
            }
            for r in ranges {
                let (s, e) = (
                    r[0].as_u64().unwrap() as usize,
                    r[1].as_u64().unwrap() as usize,
                );
                assert!(
                    text.is_char_boundary(s) && text.is_char_boundary(e),
                    "{r} in {text:?}"
                );
                let word = text[s..e].to_lowercase();
                assert!(word.starts_with("skolfrånvaro"), "highlighted {word:?}");
            }
        }
    }

    // The whole page with the query's matches marked, for the editor's page view.
    let (status, doc) = server.get(&format!(
        "/documents/{}?q=skolfr%C3%A5nvaron",
        encode(say_it[0])
    ));
    assert_eq!(status, 200);
    let text = doc["text"].as_str().unwrap();
    let ranges = doc["highlights"].as_array().unwrap();
    assert!(!ranges.is_empty(), "{doc}");
    for r in ranges {
        let w = &text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize];
        assert!(w.to_lowercase().starts_with("skolfrånvaro"), "{w}");
    }

    let answer = server.search("Karlskoga");
    assert_eq!(
        hit_paths(&answer).first().map(String::as_str),
        Some(KARLSKOGA),
        "{answer}"
    );

    // A Swedish question is OR-ranked: pages lacking some of its words still match.
    let answer = server.search("Hur arbetar kommunen med unga som inte går i gymnasiet?");
    assert!(answer["total"].as_u64().unwrap() >= 2, "{answer}");
}

#[test]
fn cli_search_and_clean_show_the_same_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    import(&index, &[&seeds()], &[]);

    let mut c = hitta(tmp.path());
    c.args(["search", "Karlskoga", "--index"]).arg(&index);
    let out = String::from_utf8(ok(c).stdout).unwrap();
    assert!(out.contains(KARLSKOGA), "{out}");
    assert!(out.contains("[Karlskoga]"), "matches are marked: {out}");

    let mut c = hitta(tmp.path());
    c.args(["search", "Karlskoga", "--json", "--index"])
        .arg(&index);
    let answer: Value = serde_json::from_slice(&ok(c).stdout).unwrap();
    assert_eq!(hit_paths(&answer)[0], KARLSKOGA);

    // Counting stops at `search.exact_total_up_to`; the total then says "at least".
    let question = "Hur arbetar kommunen med unga som inte går i gymnasiet?";
    let total = |bound: Option<&str>| {
        let mut c = hitta(tmp.path());
        if let Some(b) = bound {
            c.env("HITTA_SEARCH_EXACT_TOTAL_UP_TO", b);
        }
        c.args(["search", question, "--json", "--index"])
            .arg(&index);
        let a: Value = serde_json::from_slice(&ok(c).stdout).unwrap();
        (a["total"].as_u64().unwrap(), a["total_relation"].clone())
    };
    let (all, relation) = total(None);
    assert!(all >= 2, "{all}");
    assert_eq!(relation, "eq");
    assert_eq!(total(Some("2")), (2, "gte".into()));
    assert_eq!(total(Some(&(all + 1).to_string())), (all, "eq".into()));
    assert_eq!(total(Some("0")), (all, "eq".into()));

    let mut c = hitta(tmp.path());
    c.arg("clean").arg("--json").arg(seeds());
    let out = String::from_utf8(ok(c).stdout).unwrap();
    let pages: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(pages.len(), 5);
    let project = pages.iter().find(|p| p["path"] == PROJECT).unwrap();
    assert_eq!(project["metadata"]["Diarienummer"], "22-010-S04");
    let dropped = project["dropped"].as_array().unwrap();
    assert!(
        dropped
            .iter()
            .any(|d| d["line"].as_str().unwrap().contains("cookies")),
        "{project}"
    );
    assert!(dropped
        .iter()
        .all(|d| !d["reason"].as_str().unwrap().is_empty()));

    let mut c = hitta(tmp.path());
    c.arg("clean").arg("--explain").arg(seeds().join(KARLSKOGA));
    let out = String::from_utf8(ok(c).stdout).unwrap();
    let hoppa = out
        .lines()
        .find(|l| l.contains("Hoppa till innehåll"))
        .expect("every line is explained");
    assert!(hoppa.trim_start().starts_with("drop"), "{hoppa}");
    assert!(
        out.lines().any(|l| l.trim_start().starts_with("keep")),
        "{out}"
    );
}
