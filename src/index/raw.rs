//! The raw page as the index stores it: compressed on its own, before tantivy's store sees it.
//!
//! tantivy decompresses a stored document's whole block to read any field of it, and the raw
//! page is the largest field of a page, read only when pages are cleaned again. Compressed
//! here, its bytes no longer compress in the store's block, so LZ4 copies them instead of
//! decoding them: every hit pays less for a field it never reads (BENCHMARKS.md, session 8).

use std::cell::RefCell;
use std::path::Path;

use super::IndexError;

/// zstd's fastest level: the raw page is written for every page and read rarely.
const LEVEL: i32 = 1;

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
