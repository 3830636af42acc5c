//! The query language: free text, with `"phrase"`, `-word`, `skol*`, `key:value` and
//! `key:"two words"` for power users. Parsing never fails: anything that does not parse is
//! read as words, so a user's query is always searched (Meilisearch and Elasticsearch's
//! `simple_query_string` do the same). What a key means is decided when the query is built.

/// A part of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// A word, ranked OR with the others.
    Word(String),
    /// A quoted phrase.
    Phrase(String),
    /// `skol*`: every word starting so.
    Prefix(String),
    /// `key:value` or `key:"value"`; what the key means is decided when building.
    Field {
        key: String,
        value: String,
        quoted: bool,
    },
}

/// A clause and whether it was negated with a leading `-`.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The clause.
    pub clause: Clause,
    /// `-clause`: pages matching it are left out.
    pub exclude: bool,
}

fn is_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars().count() <= 40
        && k.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
}

/// Split a query into parts. Never fails: an unclosed quote makes the rest a phrase,
/// stray syntax becomes words.
pub fn parse(q: &str) -> Vec<Part> {
    let mut out = Vec::new();
    let mut rest = q;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let mut exclude = false;
        if c == '-' && rest[1..].chars().next().is_some_and(|n| !n.is_whitespace()) {
            exclude = true;
            rest = &rest[1..];
        }
        if let Some(body) = rest.strip_prefix('"') {
            let end = body.find('"').unwrap_or(body.len());
            out.push(Part {
                clause: Clause::Phrase(body[..end].to_string()),
                exclude,
            });
            rest = body.get(end + 1..).unwrap_or("");
            continue;
        }
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if let Some(colon) = rest[..word_end].find(':') {
            let key = &rest[..colon];
            let after = &rest[colon + 1..];
            if is_key(key) {
                if let Some(body) = after.strip_prefix('"') {
                    let end = body.find('"').unwrap_or(body.len());
                    let value = body[..end].to_string();
                    rest = body.get(end + 1..).unwrap_or("");
                    out.push(Part {
                        clause: Clause::Field {
                            key: key.to_lowercase(),
                            value,
                            quoted: true,
                        },
                        exclude,
                    });
                    continue;
                }
                let vend = after.find(char::is_whitespace).unwrap_or(after.len());
                if vend > 0 {
                    let value = after[..vend].to_string();
                    rest = &after[vend..];
                    out.push(Part {
                        clause: Clause::Field {
                            key: key.to_lowercase(),
                            value,
                            quoted: false,
                        },
                        exclude,
                    });
                    continue;
                }
            }
        }
        let word = &rest[..word_end];
        rest = &rest[word_end..];
        let clause = match word.strip_suffix('*') {
            Some(p)
                if p.chars().filter(|c| c.is_alphanumeric()).count() >= 2 && !p.contains('*') =>
            {
                Clause::Prefix(p.to_string())
            }
            _ => Clause::Word(word.to_string()),
        };
        out.push(Part { clause, exclude });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clauses(q: &str) -> Vec<(Clause, bool)> {
        parse(q)
            .into_iter()
            .map(|p| (p.clause, p.exclude))
            .collect()
    }

    fn word(w: &str) -> (Clause, bool) {
        (Clause::Word(w.into()), false)
    }

    #[test]
    fn parse_never_fails_and_reads_syntax_as_words() {
        assert_eq!(clauses("\""), vec![(Clause::Phrase(String::new()), false)]);
        assert_eq!(
            clauses("skola \"hög frånvaro\" -covid"),
            vec![
                word("skola"),
                (Clause::Phrase("hög frånvaro".into()), false),
                (Clause::Word("covid".into()), true)
            ]
        );
        assert_eq!(clauses("title: ("), vec![word("title:"), word("(")]);
        assert_eq!(clauses(" - "), vec![word("-")]);
        assert_eq!(
            clauses("\"öppen"),
            vec![(Clause::Phrase("öppen".into()), false)]
        );
        assert_eq!(clauses("*"), vec![word("*")]);
        assert_eq!(clauses("::"), vec![word("::")]);
    }

    #[test]
    fn parse_reads_fields_prefixes_and_filters() {
        assert_eq!(
            clauses("skol*"),
            vec![(Clause::Prefix("skol".into()), false)]
        );
        assert_eq!(
            clauses("region:\"Norra Mellansverige\" -site:sala.se published:>=2023-01-01"),
            vec![
                (
                    Clause::Field {
                        key: "region".into(),
                        value: "Norra Mellansverige".into(),
                        quoted: true
                    },
                    false
                ),
                (
                    Clause::Field {
                        key: "site".into(),
                        value: "sala.se".into(),
                        quoted: false
                    },
                    true
                ),
                (
                    Clause::Field {
                        key: "published".into(),
                        value: ">=2023-01-01".into(),
                        quoted: false
                    },
                    false
                ),
            ]
        );
        assert_eq!(
            clauses("Title:Skola"),
            vec![(
                Clause::Field {
                    key: "title".into(),
                    value: "Skola".into(),
                    quoted: false
                },
                false
            )]
        );
    }
}
