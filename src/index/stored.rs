//! Stored documents read back: the page a hit or `/documents/{id}` shows, read from
//! tantivy's document store only as far as it is needed.

use serde::{Deserialize, Serialize};
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{OwnedValue, Value};
use tantivy::TantivyDocument;

use super::{datetime_to_iso, Fields};

/// Field ids of `body` and `format` in the schema (the order `schema()` adds fields;
/// a test checks them), for [`HitDoc`], which tantivy builds without any context.
const BODY_ID: u32 = 4;
const FORMAT_ID: u32 = 16;

/// A stored document read only as far as a hit needs it. [`super::PageWriter::upsert`]
/// stores a page's fields in the order: identity, title, metadata, language, dates,
/// `format`, the body, the raw page. Reading stops once `format` is read (and the body,
/// with `TEXT`), so the raw page, usually the largest value, is never decoded for a hit,
/// nor the body when no snippet is made. Indexes written with the earlier order (body
/// before the metadata) read the same, only further.
pub struct HitDoc<const TEXT: bool>(pub TantivyDocument);

impl<const TEXT: bool> DocumentDeserialize for HitDoc<TEXT> {
    fn deserialize<'de, D: DocumentDeserializer<'de>>(mut d: D) -> Result<Self, DeserializeError> {
        let mut doc = TantivyDocument::default();
        let (mut body, mut format) = (false, false);
        while !(format && (body || !TEXT)) {
            let Some((field, value)) = d.next_field::<OwnedValue>()? else {
                break;
            };
            match field.field_id() {
                BODY_ID => body = true,
                FORMAT_ID => format = true,
                _ => {}
            }
            doc.add_field_value(field, &value);
        }
        Ok(HitDoc(doc))
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
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
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

impl StoredPage {
    pub(super) fn from_doc(doc: &TantivyDocument, f: &Fields) -> StoredPage {
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let date = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_datetime())
                .map(datetime_to_iso)
        };
        let path = text(f.path).unwrap_or_default();
        StoredPage {
            id: path.clone(),
            path,
            site: text(f.site).unwrap_or_default(),
            title: text(f.title).unwrap_or_default(),
            text: text(f.body).unwrap_or_default(),
            metadata: Metadata(
                text(f.metadata_json)
                    .and_then(|j| serde_json::from_str(&j).ok())
                    .unwrap_or_default(),
            ),
            language: text(f.language),
            published: date(f.published),
            updated: date(f.updated),
        }
    }
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
            let mut d = TantivyDocument::default();
            d.add_text(f.path, if new_order { "new" } else { "old" });
            d.add_text(f.title, "Rubrik");
            if !new_order {
                d.add_text(f.body, "Brödtext om skolor.");
            }
            d.add_text(f.metadata_json, r#"[["Diarienummer","2023-1"]]"#);
            d.add_text(f.language, "sv");
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
            let with = searcher.doc::<HitDoc<true>>(addr).unwrap().0;
            let without = searcher.doc::<HitDoc<false>>(addr).unwrap().0;
            let raw = |d: &TantivyDocument| d.get_first(f.raw).is_some();
            assert!(!raw(&with) && !raw(&without), "doc {doc} read the raw page");
            let (with, without) = (
                StoredPage::from_doc(&with, &f),
                StoredPage::from_doc(&without, &f),
            );
            assert_eq!(with.text, "Brödtext om skolor.");
            for page in [&with, &without] {
                assert_eq!(page.title, "Rubrik");
                assert_eq!(page.metadata.get("Diarienummer"), Some("2023-1"));
                assert_eq!(page.language.as_deref(), Some("sv"));
            }
            if with.path == "new" {
                assert_eq!(without.text, "", "the new order stops before the body");
            }
        }
    }

    #[test]
    fn the_field_ids_hit_doc_stops_at_are_the_schemas() {
        let (_, f) = super::super::schema();
        assert_eq!(f.body.field_id(), BODY_ID);
        assert_eq!(f.format.field_id(), FORMAT_ID);
    }
}
