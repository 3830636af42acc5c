//! Stored documents read back: the page a hit or `/documents/{id}` shows, read from
//! tantivy's document store only as far as it is needed.

use serde::{Deserialize, Serialize};
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::OwnedValue;

use super::datetime_to_iso;

/// Field ids of the stored fields a hit reads (the order `schema()` adds fields; a test
/// checks them), for [`HitDoc`], which tantivy builds without any context.
const PATH_ID: u32 = 0;
const TITLE_ID: u32 = 3;
const BODY_ID: u32 = 4;
const SITE_ID: u32 = 10;
const METADATA_JSON_ID: u32 = 11;
const LANGUAGE_ID: u32 = 12;
const PUBLISHED_ID: u32 = 13;
const UPDATED_ID: u32 = 14;
const FORMAT_ID: u32 = 16;

/// A stored document read only as far as a hit needs it, straight into the
/// [`StoredPage`] it shows: each value's string is moved into the page, not copied into a
/// `TantivyDocument` and out again. [`super::PageWriter::upsert`] stores a page's fields
/// in the order: identity, title, metadata, language, dates, `format`, the body, the raw
/// page. Reading stops once `format` is read (and the body, with `TEXT`), so the raw page,
/// usually the largest value, is never decoded for a hit, nor the body when no snippet is
/// made. Indexes written with the earlier order (body before the metadata) read the same,
/// only further.
pub struct HitDoc<const TEXT: bool> {
    /// The page as far as it was read (`text` empty unless `TEXT` or stored early).
    pub page: StoredPage,
    /// How many stored values were read, so a test can tell where reading stopped.
    #[cfg_attr(not(test), allow(dead_code))]
    read: usize,
}

impl<const TEXT: bool> DocumentDeserialize for HitDoc<TEXT> {
    fn deserialize<'de, D: DocumentDeserializer<'de>>(mut d: D) -> Result<Self, DeserializeError> {
        let mut page = StoredPage::default();
        let (mut body, mut format, mut read) = (false, false, 0);
        while !(format && (body || !TEXT)) {
            let Some((field, value)) = d.next_field::<OwnedValue>()? else {
                break;
            };
            read += 1;
            let id = field.field_id();
            match (id, value) {
                (BODY_ID, OwnedValue::Str(v)) => {
                    body = true;
                    // The first value, as `get_first` would take it.
                    if page.text.is_empty() {
                        page.text = v;
                    }
                }
                (FORMAT_ID, _) => format = true,
                (PATH_ID, OwnedValue::Str(v)) if page.path.is_empty() => {
                    page.id.clone_from(&v);
                    page.path = v;
                }
                (SITE_ID, OwnedValue::Str(v)) if page.site.is_empty() => page.site = v,
                (TITLE_ID, OwnedValue::Str(v)) if page.title.is_empty() => page.title = v,
                (METADATA_JSON_ID, OwnedValue::Str(v)) if page.metadata.0.is_empty() => {
                    page.metadata = Metadata(serde_json::from_str(&v).unwrap_or_default());
                }
                (LANGUAGE_ID, OwnedValue::Str(v)) if page.language.is_none() => {
                    page.language = Some(v);
                }
                (PUBLISHED_ID, OwnedValue::Date(v)) if page.published.is_none() => {
                    page.published = Some(datetime_to_iso(v));
                }
                (UPDATED_ID, OwnedValue::Date(v)) if page.updated.is_none() => {
                    page.updated = Some(datetime_to_iso(v));
                }
                _ => {}
            }
        }
        Ok(HitDoc { page, read })
    }
}

/// Key/value metadata in page order; JSON shows it as an object in that order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata(pub Vec<(String, String)>);

impl Metadata {
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl Serialize for Metadata {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Its OpenAPI schema is written by hand because it serialises by hand: an object of
/// strings (in page order), not the list of pairs the derive would describe.
impl utoipa::PartialSchema for Metadata {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
            .description(Some(
                "Key/value metadata of the page, in page order (a key can repeat).",
            ))
            .into()
    }
}

/// Named `Metadata` in the document's components, so hits and pages share one schema.
impl utoipa::ToSchema for Metadata {}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Metadata;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Metadata, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(Metadata(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A page as stored in the index: what `/documents/{id}` returns.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct StoredPage {
    /// Identity: path relative to the imported folder.
    pub id: String,
    /// Same as `id`, for clients that show a path.
    pub path: String,
    /// The site the page belongs to (see [`Fields::site`]).
    pub site: String,
    /// Page heading.
    pub title: String,
    /// The cleaned text.
    pub text: String,
    /// Key/value metadata in page order.
    pub metadata: Metadata,
    /// ISO 639-1 language code.
    pub language: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Last-update date, `YYYY-MM-DD`.
    pub updated: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stores one page with the writer's field order and one with the order before it
    /// (body right after the title), and reads both back as hits.
    #[test]
    fn a_hit_reads_its_fields_in_either_order_and_never_the_raw_page() {
        let (schema, f) = super::super::schema();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analyze::register(index.tokenizers());
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for new_order in [true, false] {
            let mut d = tantivy::TantivyDocument::default();
            d.add_text(f.path, if new_order { "new" } else { "old" });
            d.add_text(f.title, "Rubrik");
            if !new_order {
                d.add_text(f.body, "Brödtext om skolor.");
            }
            d.add_text(f.metadata_json, r#"[["Diarienummer","2023-1"]]"#);
            d.add_text(f.language, "sv");
            d.add_date(
                f.published,
                super::super::iso_to_datetime("2023-05-04").unwrap(),
            );
            d.add_text(f.format, "text");
            if new_order {
                d.add_text(f.body, "Brödtext om skolor.");
            }
            d.add_bytes(f.raw, b"RAW PAGE");
            w.add_document(d).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        for doc in 0..2 {
            let addr = tantivy::DocAddress::new(0, doc);
            let with = searcher.doc::<HitDoc<true>>(addr).unwrap();
            let without = searcher.doc::<HitDoc<false>>(addr).unwrap();
            // path, title, body, metadata, language, date, format: never the raw page after.
            assert_eq!(with.read, 7, "doc {doc} read past the body");
            let (with, without) = (with.page, without.page);
            assert_eq!(with.text, "Brödtext om skolor.");
            for page in [&with, &without] {
                assert_eq!(page.id, page.path);
                assert_eq!(page.title, "Rubrik");
                assert_eq!(page.metadata.get("Diarienummer"), Some("2023-1"));
                assert_eq!(page.language.as_deref(), Some("sv"));
                assert_eq!(page.published.as_deref(), Some("2023-05-04"));
            }
            if with.path == "new" {
                assert_eq!(without.text, "", "the new order stops before the body");
            }
        }
    }

    #[test]
    fn the_field_ids_hit_doc_stops_at_are_the_schemas() {
        let (_, f) = super::super::schema();
        let ids = [
            (f.path, PATH_ID),
            (f.title, TITLE_ID),
            (f.body, BODY_ID),
            (f.site, SITE_ID),
            (f.metadata_json, METADATA_JSON_ID),
            (f.language, LANGUAGE_ID),
            (f.published, PUBLISHED_ID),
            (f.updated, UPDATED_ID),
            (f.format, FORMAT_ID),
        ];
        for (field, id) in ids {
            assert_eq!(field.field_id(), id);
        }
    }
}
