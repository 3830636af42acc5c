//! The raw page as the index stores it — compressed on its own, before tantivy's store sees
//! it — and read back: what `hitta reclean` cleans again and what an import learns site
//! statistics from.
//!
//! tantivy decompresses a stored document's whole block to read any field of it, and the raw
//! page is the largest field of a page, read only when pages are cleaned again. Compressed
//! here, its bytes no longer compress in the store's block, so LZ4 copies them instead of
//! decoding them: every hit pays less for a field it never reads (BENCHMARKS.md, session 8).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::{Fields, HittaIndex, IndexError};
use crate::decode::Format;

/// One of zstd's fast negative levels: the raw page is written for every page and read
/// rarely. Against level 1, a 3,000-page import spent half the instructions compressing
/// (441M -> 206M, 5.8% -> 2.8% of the import; callgrind) for a store as large (6.92 MB
/// either way), and the 45k bench index stayed at 123 MB.
const LEVEL: i32 = -4;

/// A page's decoded text, zstd-compressed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackedRaw(pub Vec<u8>);

impl PackedRaw {
    /// Compress `text`.
    pub fn pack(text: &str) -> PackedRaw {
        thread_local! {
            /// One compression context per thread: making one per page was 1.8% of an import.
            static CCTX: RefCell<Option<zstd::bulk::Compressor<'static>>> =
                RefCell::new(zstd::bulk::Compressor::new(LEVEL).ok());
        }
        // In-memory compression of a valid buffer cannot fail; an empty value is the
        // fallback all the same, and reads back as an empty page.
        let packed = CCTX.with_borrow_mut(|c| match c {
            Some(c) => c.compress(text.as_bytes()).ok(),
            None => zstd::bulk::compress(text.as_bytes(), LEVEL).ok(),
        });
        PackedRaw(packed.unwrap_or_default())
    }

    /// The text back; a damaged value is an error that names the index folder.
    pub fn unpack(&self, dir: &Path) -> Result<String, IndexError> {
        if self.0.is_empty() {
            return Ok(String::new());
        }
        let bad = |why: String| IndexError::Tantivy {
            dir: dir.to_path_buf(),
            message: format!(
                "a stored raw page cannot be read back ({why}): run `hitta import --rebuild`"
            ),
        };
        let bytes = zstd::decode_all(self.0.as_slice()).map_err(|e| bad(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| bad(e.to_string()))
    }
}

/// A stored page's address with its identity and site, cheap to hold for every page.
#[derive(Debug, Clone)]
pub struct RawRef {
    /// Where the document is in the snapshot.
    pub addr: DocAddress,
    /// Relative path (identity).
    pub path: String,
    /// Its site, as the import named it.
    pub site: String,
}

/// The indexed pages as of one moment, read back in batches with [`RawSnapshot::load`]
/// so that a million stored pages never sit in memory at once. Writing to the index
/// meanwhile does not change what the snapshot sees.
pub struct RawSnapshot {
    pub(super) searcher: Searcher,
    pub(super) fields: Fields,
    pub(super) dir: PathBuf,
    /// Every live document.
    pub pages: Vec<RawRef>,
}

impl RawSnapshot {
    /// The stored raw text of `refs` (on all cores).
    pub fn load(&self, refs: &[&RawRef]) -> Result<Vec<RawStored>, IndexError> {
        let f = &self.fields;
        refs.par_iter()
            .map(|r| {
                let doc: TantivyDocument = self
                    .searcher
                    .doc(r.addr)
                    .map_err(HittaIndex::tantivy_err(&self.dir))?;
                let text = |field| {
                    doc.get_first(field)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string()
                };
                let packed = PackedRaw(
                    doc.get_first(f.raw)
                        .and_then(|v| v.as_bytes())
                        .unwrap_or_default()
                        .to_vec(),
                );
                Ok(RawStored {
                    format: if text(f.format) == "html" {
                        Format::Html
                    } else {
                        Format::Text
                    },
                    raw: packed.unpack(&self.dir)?,
                    packed,
                    root: text(f.root),
                    hash: text(f.hash),
                    site: r.site.clone(),
                    path: r.path.clone(),
                })
            })
            .collect()
    }
}

/// A page as stored before cleaning, with what identifies it.
#[derive(Debug, Clone)]
pub struct RawStored {
    /// Relative path (identity).
    pub path: String,
    /// Folder it was imported from.
    pub root: String,
    /// Content hash of its file.
    pub hash: String,
    /// Its site.
    pub site: String,
    /// Text or HTML.
    pub format: Format,
    /// The decoded text before extraction and cleaning.
    pub raw: String,
    /// The same as stored, to store again as it is.
    pub packed: PackedRaw,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_round_trips_and_shrinks() {
        let text = "Startsida / Nyheter\nSkolfrånvaron i Härnösand minskar.\n".repeat(20);
        let packed = PackedRaw::pack(&text);
        assert!(packed.0.len() < text.len() / 4, "{} bytes", packed.0.len());
        assert_eq!(packed.unpack(Path::new("/i")).unwrap(), text);
        assert_eq!(PackedRaw::pack("").unpack(Path::new("/i")).unwrap(), "");
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let err = PackedRaw(b"not zstd".to_vec())
            .unpack(Path::new("/idx"))
            .unwrap_err();
        assert!(err.to_string().contains("/idx") && err.to_string().contains("--rebuild"));
    }
}
