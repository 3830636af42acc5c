//! The OpenAPI document served at `GET /openapi.json`: utoipa's document of the routes,
//! with the limits of the configuration written into the schemas.

use serde_json::{json, Value};

use crate::config::Config;
use crate::search::MAX_OFFSET;

/// The OpenAPI document of [`router`](super::router) as JSON, with the limits of `cfg` filled in, so
/// that clients and fuzzers (schemathesis) know what this server accepts.
pub fn openapi(cfg: &Config) -> Value {
    let (_, doc) = super::documented_routes().split_for_parts();
    let mut doc = serde_json::to_value(&doc).expect("the OpenAPI document is JSON");
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        let all = std::mem::take(paths);
        for (path, mut item) in all {
            for (method, op) in item.as_object_mut().into_iter().flatten() {
                let search = path == "/search" && method == "get";
                for param in op
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if param["in"] == "query" {
                        let name = param["name"].as_str().unwrap_or_default().to_string();
                        let schema = &mut param["schema"];
                        not_null(schema);
                        constrain(schema, &name, search, cfg);
                    }
                }
            }
            paths.insert(openapi_path(&path), item);
        }
    }
    // From a hit to its page. utoipa 5 writes a Link's fields in snake_case
    // (`operation_id`), which OpenAPI does not read, so the links are written here.
    for (method, q) in [("get", "$request.query.q"), ("post", "$request.body#/q")] {
        if let Some(ok) = doc.pointer_mut(&format!("/paths/~1search/{method}/responses/200")) {
            ok["links"] = json!({"document": {
                "operationId": "document",
                "parameters": {"id": "$response.body#/hits/0/id", "q": q},
                "description": "The page of the first hit, with the query's matches marked.",
            }});
        }
    }
    if let Some(props) = doc
        .pointer_mut("/components/schemas/SearchRequest/properties")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in props {
            constrain(schema, name, true, cfg);
        }
    }
    doc
}

/// axum's catch-all segment `{*id}` is a plain `{id}` in an OpenAPI path.
pub(super) fn openapi_path(axum_path: &str) -> String {
    axum_path.replace("{*", "{")
}

/// A query-string value is never JSON `null`: an absent parameter is how to leave one out.
fn not_null(schema: &mut Value) {
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            schema["type"] = only;
        }
    }
}

/// The limits [`Searcher::validate`](crate::search::Searcher::validate) and the handlers apply to a query parameter or
/// [`SearchRequest`](crate::search::SearchRequest) property, written into its schema: `search` for the query of a
/// search (not blank), otherwise a text that may be empty (`/analyze`, `/documents`).
fn constrain(schema: &mut Value, name: &str, search: bool, cfg: &Config) {
    let server = &cfg.server;
    let limits = match name {
        "q" if search => json!({
            "minLength": 1,
            "maxLength": server.max_query_bytes,
            "pattern": not_blank_pattern(),
        }),
        "q" | "text" => json!({"maxLength": server.max_query_bytes}),
        "limit" => json!({
            "minimum": 1,
            "maximum": server.max_limit,
            "default": cfg.search.default_limit,
        }),
        "offset" => json!({"minimum": 0, "maximum": MAX_OFFSET, "default": 0}),
        _ => return,
    };
    if let (Some(schema), Value::Object(limits)) = (schema.as_object_mut(), limits) {
        schema.extend(limits);
    }
}

/// A regular expression matching text with a character that is not whitespace by Rust's
/// `char::is_whitespace` (what `str::trim` removes), so the document's "not blank" is
/// exactly the server's. The whitespace characters stand in the class as themselves.
fn not_blank_pattern() -> String {
    let mut class = String::new();
    let mut chars = ('\0'..=char::MAX).filter(|c| c.is_whitespace()).peekable();
    while let Some(first) = chars.next() {
        let mut last = first;
        while let Some(&next) = chars.peek() {
            if next as u32 != last as u32 + 1 {
                break;
            }
            last = next;
            chars.next();
        }
        class.push(first);
        if last != first {
            class.push('-');
            class.push(last);
        }
    }
    format!("[^{class}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_blank_pattern_is_what_trim_keeps() {
        let re = regex::Regex::new(&not_blank_pattern()).unwrap();
        for c in ('\0'..=char::MAX)
            .step_by(7)
            .chain([' ', '\t', '\u{3000}', 'a', '\u{85}'])
        {
            let s = c.to_string();
            assert_eq!(re.is_match(&s), !s.trim().is_empty(), "{:?}", c);
        }
    }
}
