//! Swedish search behaviour over a real index: compounds, å/ä/ö typed as a/o, typos.

mod common;

use common::*;
use serde_json::Value;

const NARSAM: &str = "002_03e3681fb23cbdfb.txt";
const KARLSKOGA: &str = "003_33fe084e53ab7db6.txt";

fn highlighted(hit: &Value) -> Vec<String> {
    let text = hit["snippet"]["text"].as_str().unwrap();
    hit["snippet"]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize].to_lowercase()
        })
        .collect()
}

fn hit<'a>(answer: &'a Value, path: &str) -> Option<&'a Value> {
    answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["path"] == path)
}

#[test]
fn compounds_diacritics_and_typos() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    import(&index, &[&seeds()], &[]);
    let server = Server::start(&index);

    // A part of a compound finds the compound, and marks the whole word.
    let answer = server.search("frånvaro");
    let h =
        hit(&answer, NARSAM).unwrap_or_else(|| panic!("frånvaro must find skolfrånvaro: {answer}"));
    assert!(
        highlighted(h).iter().any(|w| w.contains("skolfrånvaro")),
        "{h}"
    );

    // å/ä/ö typed as a/o.
    for q in ["harnosand", "skolfranvaro"] {
        let answer = server.search(q);
        assert!(hit(&answer, NARSAM).is_some(), "{q}: {answer}");
    }

    // A typo is corrected and the corrected word is marked.
    let answer = server.search("Karlskgoa");
    assert_eq!(
        hit_paths(&answer).first().map(String::as_str),
        Some(KARLSKOGA),
        "{answer}"
    );
    assert!(
        highlighted(&answer["hits"][0])
            .iter()
            .any(|w| w == "karlskoga"),
        "{answer}"
    );
}

#[test]
fn an_exact_match_with_a_swedish_letter_ranks_first() {
    let tmp = tempfile::tempdir().unwrap();
    let dumps = tmp.path().join("dumps");
    std::fs::create_dir_all(&dumps).unwrap();
    std::fs::write(
        dumps.join("far.txt"),
        "Om föräldraledighet\n\nNär en far vill vara hemma med sitt barn gäller samma regler som för mamman.\n",
    )
    .unwrap();
    std::fs::write(
        dumps.join("far-med-ring.txt"),
        "Om bidrag\n\nDu får ansöka om bidraget när beslutet har kommit, och du får svar inom en månad.\n",
    )
    .unwrap();
    let index = tmp.path().join("index");
    import(&index, &[&dumps], &[]);
    let server = Server::start(&index);
    assert_eq!(hit_paths(&server.search("får"))[0], "far-med-ring.txt");
    assert_eq!(hit_paths(&server.search("far"))[0], "far.txt");
}

#[test]
fn query_language_for_power_users() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    import(&index, &[&seeds()], &[]);
    let server = Server::start(&index);
    let paths = |q: &str| {
        let mut p = hit_paths(&server.search(q));
        p.sort();
        p
    };
    const PROJECT: &str = "000_49fdefbf50581b3b.txt";
    const SUNDBYBERG: &str = "001_afc759a9f325d7a5.txt";
    const SALA: &str = "004_30b83a1f528b4103.txt";

    assert_eq!(paths("region:\"Norra Mellansverige\""), vec![PROJECT]);
    assert_eq!(paths("projektägare:\"karlstads kommun\""), vec![PROJECT]);
    assert_eq!(paths("skolfrånvaro region:stockholm"), vec![SUNDBYBERG]);
    assert_eq!(paths("title:skolsamverkan"), vec![PROJECT]);
    assert_eq!(paths("published:>=2022-01-01"), vec![SALA]);
    assert_eq!(paths("published:2018"), vec![KARLSKOGA]);
    assert_eq!(paths("published:<2018-12-17"), Vec::<String>::new());
    assert_eq!(paths("lang:sv").len(), 5);
    // Facets are counted only when asked (counting visits every matching page) ...
    let plain = server.search("lang:sv")["facets"].clone();
    assert!(
        plain["site"].as_array().is_none_or(|a| a.is_empty()),
        "{plain}"
    );
    let (status, body) = server.get("/search?q=lang%3Asv&facets=maybe");
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("facets"),
        "{body}"
    );
    // ... then they count every matching page, and their values work as filters.
    let (status, body) = server.get("/search?q=lang%3Asv&limit=100&facets=true");
    assert_eq!(status, 200, "{body}");
    let facets = body["facets"].clone();
    assert_eq!(
        facets["language"][0],
        serde_json::json!({"value": "sv", "count": 5}),
        "{facets}"
    );
    assert_eq!(
        facets["site"][0],
        serde_json::json!({"value": "import", "count": 5}),
        "{facets}"
    );
    let years: Vec<&str> = facets["year"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["value"].as_str().unwrap())
        .collect();
    assert_eq!(years.len(), 2, "{facets}");
    for y in years {
        assert_eq!(paths(&format!("lang:sv published:{y}")).len(), 1, "{y}");
    }
    assert!(paths("lang:en").is_empty());
    assert_eq!(
        paths("site:import").len(),
        5,
        "text dumps take the imported folder's name as site"
    );
    assert!(paths("skola -site:import").is_empty());
    assert!(!paths("skola").is_empty());

    // A prefix finds and marks every word it starts.
    let answer = server.search("skolfr*");
    assert!(hit(&answer, NARSAM).is_some(), "{answer}");
    assert!(
        highlighted(hit(&answer, NARSAM).unwrap())
            .iter()
            .all(|w| w.starts_with("skolfr")),
        "{answer}"
    );

    // An unknown key is read as words, not as a filter that finds nothing.
    assert!(!paths("obs:Karlskoga").is_empty());
    assert!(!paths("\"kommunala aktivitetsansvaret\" -title:").is_empty());
}
