//! Bad HTTP parameters get a 400 with a JSON error; odd queries still get a 200.

mod common;

use common::*;

#[test]
fn bad_parameters_are_400_json_and_odd_queries_are_200() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    import(&index, &[&seeds()], &[]);
    let server = Server::start(&index);

    let long = "a".repeat(1001);
    for (path, code) in [
        ("/search?q=skola&limit=0", "bad_limit"),
        ("/search?q=skola&limit=10000", "bad_limit"),
        ("/search?q=skola&limit=ten", "bad_parameter"),
        ("/search?q=skola&offset=-1", "bad_parameter"),
        ("/search?q=", "empty_query"),
        ("/search?q=%20%20", "empty_query"),
        ("/search", "missing_query"),
        (&format!("/search?q={long}") as &str, "query_too_long"),
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }

    let (status, body) = server.post("/search", "{\"q\": ");
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "bad_json");
    let (status, body) = server.post("/search", "{\"q\": \"skola\", \"limit\": 0}");
    assert_eq!(status, 400, "{body}");
    let (status, body) = server.post("/search", "{\"q\": \"Karlskoga\", \"limit\": 2}");
    assert_eq!(status, 200, "{body}");
    assert!(body["hits"].as_array().unwrap().len() <= 2);

    let (status, body) = server.get("/documents/no-such-page.txt");
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "document_not_found");

    for q in [
        "och att", "\"", "(", "title:", "-", "\"\"", "))((", "*", "?",
    ] {
        let (status, body) = server.get(&format!("/search?q={}", encode(q)));
        assert_eq!(status, 200, "{q:?}: {body}");
        assert!(body["hits"].is_array());
    }

    // Quotes make a phrase: both words next to each other.
    assert!(
        server.search("aktivitetsansvaret kommunala")["total"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert!(
        server.search("\"kommunala aktivitetsansvaret\"")["total"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(
        server.search("\"aktivitetsansvaret kommunala\"")["total"],
        0
    );
    // A leading minus excludes.
    let with = server.search("Karlskoga")["total"].as_u64().unwrap();
    let without = server.search("Karlskoga -Degerfors")["total"]
        .as_u64()
        .unwrap();
    assert!(without < with, "{without} < {with}");

    let (status, health) = server.get("/health");
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
}
