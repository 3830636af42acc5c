//! Stage 1, **decode**: bytes of a dump file to Unicode text, or a reason to skip it.
//!
//! Why a stage of its own: every later stage works on lines of clean Unicode, and a
//! wrong guess here (a UTF-8 file read as windows-1252) corrupts every å/ä/ö after it.
//!
//! Order of decisions (each one linear in the file size, no re-decoding loops):
//! empty file; BOM (UTF-8, UTF-16LE/BE); binary (magic numbers, then the share of
//! control bytes in the first 64 KiB; NULs in a UTF-16 pattern are read as UTF-16);
//! valid UTF-8; *mostly* UTF-8 (valid multibyte sequences clearly outnumber bad bytes:
//! stays UTF-8, bad bytes read as windows-1252 in place); HTML `<meta>` charset when the
//! bytes are consistent with it; chardetng.
//! Then [`normalize_text`] and the white-space-only check.
//!
//! The text is NFC-normalised here (only when a quick check says it is not NFC already,
//! so ASCII and NFC text cost one scan): the gold and the index compare NFC, and a
//! decomposed `å` in an index never matches a query typed on a keyboard.

use std::borrow::Cow;
use std::path::Path;

use encoding_rs::Encoding;

/// What kind of dump a file is, decided by its extension (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A plain-text copy of a page (`.txt`).
    Text,
    /// An HTML file (`.html`, `.htm`).
    Html,
}

impl Format {
    /// The format of `path` from its extension, or `None` for a file hitta does not import.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("txt") {
            Some(Format::Text)
        } else if ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm") {
            Some(Format::Html)
        } else {
            None
        }
    }
}

/// One decoded dump file: the input of the extract stage.
#[derive(Debug, Clone)]
pub struct RawPage {
    /// Path relative to the folder it was imported from: the document's identity.
    pub path: String,
    /// Text or HTML.
    pub format: Format,
    /// The decoded text: no BOM, no NUL or control characters, invisible joiners inside
    /// words removed, line endings (CRLF, CR) normalised to `\n`, NFC.
    pub text: String,
    /// Name of the encoding the bytes were read as (e.g. `UTF-8`, `windows-1252`).
    pub encoding: &'static str,
}

/// Why a file is not imported. Shown to the user in the import report, so each message
/// says what is wrong with the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SkipReason {
    #[error("unsupported file type (only .txt, .html and .htm are imported)")]
    Unsupported,
    #[error("empty file (0 bytes)")]
    Empty,
    #[error("no text: the file holds only white space")]
    NoText,
    #[error("binary file, not text ({0})")]
    Binary(String),
    #[error("file too large ({size_mb:.1} MB > limit {limit_mb} MB)")]
    TooLarge { size_mb: f64, limit_mb: u64 },
    #[error("no text content: {0}")]
    NoContent(String),
    #[error("cannot read file: {0}")]
    Unreadable(String),
}

/// Decode `bytes` of a file of `format` into a [`RawPage`].
///
/// UTF-8 (with or without BOM) and UTF-16 with BOM are read as such; for HTML a
/// `<meta charset>` / `http-equiv` declaration is honoured when the bytes agree with it;
/// anything else is detected with chardetng. Invalid sequences become U+FFFD locally
/// instead of re-decoding the whole file.
pub fn decode(path: String, format: Format, bytes: &[u8]) -> Result<RawPage, SkipReason> {
    if bytes.is_empty() {
        return Err(SkipReason::Empty);
    }
    let (raw, encoding) = decode_bytes(format, bytes)?;
    let mut text = normalize_text(raw).into_owned();
    if !is_nfc_fast(&text) {
        use unicode_normalization::UnicodeNormalization;
        text = text.nfc().collect();
    }
    if text.chars().all(char::is_whitespace) {
        return Err(SkipReason::NoText);
    }
    Ok(RawPage {
        path,
        format,
        text,
        encoding,
    })
}

/// Bytes to text (not yet normalised) and the name of the encoding used.
fn decode_bytes(format: Format, bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), SkipReason> {
    // BOMs first: a UTF-16 file is full of NULs and must not look binary.
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok((utf8_with_errors(rest), "UTF-8"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok((
            encoding_rs::UTF_16LE.decode_without_bom_handling(rest).0,
            "UTF-16LE",
        ));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok((
            encoding_rs::UTF_16BE.decode_without_bom_handling(rest).0,
            "UTF-16BE",
        ));
    }
    if let Some(kind) = magic_kind(bytes) {
        return Err(SkipReason::Binary(kind.to_string()));
    }
    match sniff_controls(bytes) {
        Sniff::Text => {}
        Sniff::Utf16Le => {
            return Ok((
                encoding_rs::UTF_16LE.decode_without_bom_handling(bytes).0,
                "UTF-16LE",
            ))
        }
        Sniff::Utf16Be => {
            return Ok((
                encoding_rs::UTF_16BE.decode_without_bom_handling(bytes).0,
                "UTF-16BE",
            ))
        }
        Sniff::Binary => {
            return Err(SkipReason::Binary(
                "binary data: many control or NUL bytes".to_string(),
            ))
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(s), "UTF-8"));
    }
    if mostly_utf8(bytes) {
        return Ok((utf8_with_errors(bytes), "UTF-8"));
    }
    if format == Format::Html {
        if let Some(enc) = declared_charset(bytes) {
            // A declared UTF-8 (or UTF-16, which a byte-level meta cannot really be) is
            // already disproved by the checks above; a single-byte declaration is kept
            // when every byte decodes under it.
            if enc != encoding_rs::UTF_8
                && enc != encoding_rs::UTF_16LE
                && enc != encoding_rs::UTF_16BE
            {
                if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
                    return Ok((s, enc.name()));
                }
            }
        }
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    const SAMPLE: usize = 1 << 20;
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    det.feed(sample, sample.len() == bytes.len());
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    if enc == encoding_rs::UTF_8 {
        return Ok((utf8_with_errors(bytes), "UTF-8"));
    }
    Ok((enc.decode_without_bom_handling(bytes).0, enc.name()))
}

/// The kind of binary file named by the first bytes, for the skip reason.
fn magic_kind(b: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1A\n", "PNG image"),
        (b"%PDF-", "PDF document"),
        (b"\x1F\x8B", "gzip data"),
        (b"PK\x03\x04", "ZIP archive (or docx/xlsx/odt)"),
        (b"PK\x05\x06", "ZIP archive (empty)"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF87a", "GIF image"),
        (b"GIF89a", "GIF image"),
        (b"\x7FELF", "ELF executable"),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "MS Office document (doc/xls/ppt)",
        ),
        (b"SQLite format 3\0", "SQLite database"),
        (b"\xFD7zXZ\0", "xz data"),
        (b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
        (b"Rar!\x1A\x07", "RAR archive"),
        (b"\x28\xB5\x2F\xFD", "zstd data"),
        (b"BZh", "bzip2 data"),
        (b"\0asm", "WebAssembly"),
        (b"II*\0", "TIFF image"),
        (b"MM\0*", "TIFF image"),
        (b"wOFF", "WOFF font"),
        (b"wOF2", "WOFF2 font"),
        (b"OggS", "Ogg media"),
        (b"ID3", "MP3 audio"),
        (b"\0\0\x01\0", "ICO image"),
    ];
    for (m, kind) in MAGIC {
        if b.starts_with(m) {
            // "BZh"/"ID3" could start a text line: require the binary rest to agree.
            let fourth = b.get(3).copied().unwrap_or(b' ');
            if (*m == b"BZh" && !fourth.is_ascii_digit()) || (*m == b"ID3" && fourth >= 0x10) {
                continue;
            }
            return Some(kind);
        }
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" {
        return Some(match &b[8..12] {
            b"WEBP" => "WebP image",
            b"WAVE" => "WAV audio",
            b"AVI " => "AVI video",
            _ => "RIFF media",
        });
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        return Some("MP4/QuickTime media");
    }
    None
}

enum Sniff {
    Text,
    Utf16Le,
    Utf16Be,
    Binary,
}

/// Look at the first 64 KiB: text has (almost) no control bytes; UTF-16 without BOM has
/// NULs in every other byte.
fn sniff_controls(b: &[u8]) -> Sniff {
    let s = &b[..b.len().min(64 * 1024)];
    let (mut nul_even, mut nul_odd, mut ctl) = (0usize, 0usize, 0usize);
    for (i, &c) in s.iter().enumerate() {
        if c == 0 {
            if i % 2 == 0 {
                nul_even += 1
            } else {
                nul_odd += 1
            }
        } else if c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t' | 0x0C | 0x1B | 0x07 | 0x0B) {
            ctl += 1;
        }
    }
    let half = s.len() / 2;
    if half >= 2 {
        // ASCII-heavy UTF-16: the high byte of most code units is 0.
        if nul_odd * 10 >= half * 4 && nul_even * 20 < half {
            return Sniff::Utf16Le;
        }
        if nul_even * 10 >= half * 4 && nul_odd * 20 < half {
            return Sniff::Utf16Be;
        }
    }
    let bad = nul_even + nul_odd + ctl;
    // A few stray NULs in real text are removed later; binary data has many.
    if (bad >= 4 && bad * 10 > s.len()) || (bad >= 64 && bad * 100 > s.len()) {
        Sniff::Binary
    } else {
        Sniff::Text
    }
}

/// Is invalid UTF-8 still UTF-8 with a few errors? Yes when valid multibyte sequences
/// clearly outnumber the invalid bytes: windows-1252 text almost never forms valid
/// multibyte sequences, while a UTF-8 page with a pasted cp1252 sentence or a cut at the
/// end is full of them.
fn mostly_utf8(b: &[u8]) -> bool {
    let (mut valid_mb, mut invalid) = (0usize, 0usize);
    for chunk in b.utf8_chunks() {
        // Lead bytes of multibyte chars: every byte >= 0xC0 in valid UTF-8.
        valid_mb += chunk.valid().bytes().filter(|&c| c >= 0xC0).count();
        invalid += chunk.invalid().len();
    }
    valid_mb >= 2 && valid_mb >= invalid * 2
}

/// Decode UTF-8 that may hold a few invalid bytes: an invalid sequence in the middle is
/// read as windows-1252 (a pasted legacy sentence keeps its å/ä/ö), an incomplete
/// sequence at the very end (a cut file) becomes U+FFFD. Borrowed when valid.
fn utf8_with_errors(b: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(b) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(b.len() + 16);
    let mut chunks = b.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        out.push_str(chunk.valid());
        let bad = chunk.invalid();
        if bad.is_empty() {
            continue;
        }
        if chunks.peek().is_none() {
            out.push('\u{FFFD}');
        } else {
            let (s, _, _) = encoding_rs::WINDOWS_1252.decode(bad);
            out.push_str(&s);
        }
    }
    Cow::Owned(out)
}

/// The encoding named by `<meta charset=…>` or `<meta http-equiv=content-type
/// content="…; charset=…">` in the first 4 KiB (browsers look at 1 KiB; dumps often have
/// long heads), if any and known to encoding_rs.
pub fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = lower[start..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(cp) = find(tag, b"charset") {
            let mut rest = &tag[cp + 7..];
            rest = trim_ascii_start(rest);
            if let Some(r) = rest.strip_prefix(b"=") {
                let r = trim_ascii_start(r);
                let r = r
                    .strip_prefix(b"\"")
                    .or_else(|| r.strip_prefix(b"'"))
                    .unwrap_or(r);
                let len = r
                    .iter()
                    .position(|&c| {
                        matches!(c, b'"' | b'\'' | b';' | b' ' | b'/' | b'>')
                            || c.is_ascii_whitespace()
                    })
                    .unwrap_or(r.len());
                if let Some(enc) = Encoding::for_label(&r[..len]) {
                    return Some(enc);
                }
            }
        }
        from = end.max(start + 1);
        if from >= lower.len() {
            break;
        }
    }
    None
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Normalise decoded text: CRLF / CR to `\n`; remove NUL, ANSI escape sequences, other
/// C0 controls except `\n` and `\t`, DEL, C1 controls, and invisible characters that
/// split words (soft hyphen, zero-width space/joiners, word joiner, BOM inside text,
/// LRM/RLM). NBSP is kept. Borrowed (no allocation) when nothing needs changing. One byte
/// scan: the text between the bytes that need work is copied a run at a time (a char at a
/// time cost 4% of an import, since most pages hold an NBSP or a typographic quote).
pub fn normalize_text(text: Cow<'_, str>) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    // `from`: start of the text not yet copied to `out`.
    let (mut from, mut i) = (0, 0);
    while i < b.len() {
        if i + BLOCK <= b.len()
            && !b[i..i + BLOCK]
                .iter()
                .fold(false, |a, &c| a | may_need_work(c))
        {
            i += BLOCK; // nothing to do in these bytes (the test vectorises)
            continue;
        }
        let c = b[i];
        let (drop, newline) = match c {
            b'\n' | b'\t' => (0, false),
            b'\r' => (1 + usize::from(b.get(i + 1) == Some(&b'\n')), true),
            0x1B => (1 + escape_len(&text[i + 1..]), false),
            0..=0x1F | 0x7F => (1, false),
            // U+0080..U+009F (C1) and U+00AD (soft hyphen).
            0xC2 if matches!(b.get(i + 1), Some(0x80..=0x9F | 0xAD)) => (2, false),
            // U+200B..U+200F (zero-width space, joiners, LRM, RLM) and U+2060 (word joiner).
            0xE2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x8B..=0x8F)) => {
                (3, false)
            }
            0xE2 if b.get(i + 1) == Some(&0x81) && b.get(i + 2) == Some(&0xA0) => (3, false),
            // U+FEFF (a BOM inside the text).
            0xEF if b.get(i + 1) == Some(&0xBB) && b.get(i + 2) == Some(&0xBF) => (3, false),
            _ => (0, false),
        };
        if drop == 0 {
            i += 1; // continuation bytes never match above, so stepping a byte is safe
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[from..i]);
        if newline {
            o.push('\n');
        }
        i += drop;
        from = i;
    }
    match out {
        None => text,
        Some(mut o) => {
            o.push_str(&text[from..]);
            Cow::Owned(o)
        }
    }
}

/// Bytes looked at together before one at a time: most blocks of a page hold nothing to do.
const BLOCK: usize = 32;

/// Can the char at byte `c` need work in [`normalize_text`]? Controls but `\n` and `\t`,
/// DEL, and the lead bytes of the invisible chars and C1 controls.
#[inline]
fn may_need_work(c: u8) -> bool {
    (c < 0x20 && c != b'\n' && c != b'\t') || c == 0x7F || c == 0xC2 || c == 0xE2 || c == 0xEF
}

/// The bytes of an escape sequence after its ESC (`s` starts right after it): CSI (`[`
/// params intermediates final), OSC (`]` … BEL or ESC `\`, at most 512 chars so an
/// unterminated one cannot eat the file), or a two-character escape. Linear: each char is
/// looked at once.
fn escape_len(s: &str) -> usize {
    let b = s.as_bytes();
    match b.first() {
        Some(b'[') => {
            let mut i = 1;
            while let Some(&c) = b.get(i) {
                if (0x20..=0x3F).contains(&c) {
                    i += 1;
                } else {
                    if (0x40..=0x7E).contains(&c) {
                        i += 1;
                    }
                    break;
                }
            }
            i
        }
        Some(b']') => {
            for (n, (j, c)) in s[1..].char_indices().enumerate() {
                if c == '\u{07}' {
                    return 1 + j + 1;
                }
                if c == '\u{1B}' || c == '\n' || n >= 512 {
                    return 1 + j; // ESC `\` (ST) is removed next as a 2-char escape
                }
            }
            s.len()
        }
        Some(0x40..=0x5F) => 1,
        _ => 0,
    }
}

/// Is `s` in NFC for sure? Unicode's quick check, over the chars from U+0300 on only:
/// those below are starters whose quick-check value is Yes, and leaving them out can only
/// turn a Yes into Maybe (then the caller composes, which is always right), never the
/// other way. Skipping them by their lead byte spares decoding every char of a page.
pub fn is_nfc_fast(s: &str) -> bool {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    let b = s.as_bytes();
    let mut i = 0;
    let high = std::iter::from_fn(|| {
        while i < b.len() {
            if i + BLOCK <= b.len() && !b[i..i + BLOCK].iter().fold(false, |a, &c| a | (c >= 0xCC))
            {
                i += BLOCK;
                continue;
            }
            i += 1;
            if b[i - 1] >= 0xCC {
                return s[i - 1..].chars().next();
            }
        }
        None
    });
    is_nfc_quick(high) == IsNormalized::Yes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> Result<RawPage, SkipReason> {
        decode("t.txt".into(), Format::Text, bytes)
    }
    #[track_caller]
    fn text(bytes: &[u8]) -> String {
        dec(bytes).expect("decodes").text
    }
    fn bad(name: &str) -> Vec<u8> {
        let p = format!(
            "{}/../shared/corpus/bad/{}",
            env!("CARGO_MANIFEST_DIR"),
            name
        );
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }
    fn bad_page(name: &str) -> Result<RawPage, SkipReason> {
        let format = Format::of(Path::new(name)).expect("known format");
        decode(name.into(), format, &bad(name))
    }

    #[test]
    fn format_of_extensions() {
        assert_eq!(Format::of(Path::new("a/b.txt")), Some(Format::Text));
        assert_eq!(Format::of(Path::new("B.TXT")), Some(Format::Text));
        assert_eq!(Format::of(Path::new("x.Html")), Some(Format::Html));
        assert_eq!(Format::of(Path::new("x.HTM")), Some(Format::Html));
        assert_eq!(Format::of(Path::new("x.png")), None);
        assert_eq!(Format::of(Path::new("dump-without-extension")), None);
        assert_eq!(Format::of(Path::new(".txt")), None);
    }

    #[test]
    fn empty_and_whitespace() {
        assert_eq!(dec(b"").unwrap_err(), SkipReason::Empty);
        assert_eq!(
            dec(" \t\r\n\u{a0}\u{3000}\u{feff}\u{200b}".as_bytes()).unwrap_err(),
            SkipReason::NoText
        );
    }

    #[test]
    fn binary_magic_and_controls() {
        let png = b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR";
        assert_eq!(
            dec(png).unwrap_err(),
            SkipReason::Binary("PNG image".into())
        );
        assert_eq!(
            dec(b"%PDF-1.7\n%\xE2\xE3").unwrap_err(),
            SkipReason::Binary("PDF document".into())
        );
        assert!(matches!(
            dec(b"\x1F\x8B\x08\0abc").unwrap_err(),
            SkipReason::Binary(_)
        ));
        assert!(matches!(
            dec(b"PK\x03\x04\x14\0").unwrap_err(),
            SkipReason::Binary(_)
        ));
        let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
        assert!(matches!(dec(&junk).unwrap_err(), SkipReason::Binary(_)));
        // Text that merely starts like a magic number is text.
        assert_eq!(text(b"BZh, sa han"), "BZh, sa han");
    }

    #[test]
    fn stray_nuls_removed() {
        assert_eq!(text("för\0 och\0 år".as_bytes()), "för och år");
    }

    #[test]
    fn boms() {
        assert_eq!(text("\u{feff}år".as_bytes()), "år");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("år\r\nö".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(text(&le), "år\nö");
        assert_eq!(dec(&le).unwrap().encoding, "UTF-16LE");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("år ö".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(text(&be), "år ö");
        // UTF-16LE without BOM: NULs in every other byte are not binary.
        let nobom: Vec<u8> = "Hej på dig, så här"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(text(&nobom), "Hej på dig, så här");
        let long = "Hej på dig, så här skriver man utan BOM i flera rader.\n".repeat(5);
        let nobom_be: Vec<u8> = long.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(dec(&nobom_be).unwrap().encoding, "UTF-16BE");
        assert_eq!(text(&nobom_be), long);
    }

    #[test]
    fn utf8_with_few_errors_stays_utf8() {
        // A pasted cp1252 word in UTF-8 text.
        let mut b = "Här är många å och ö, även ä. ".repeat(3).into_bytes();
        b.extend_from_slice(b"Sm\xE5land ");
        b.extend_from_slice("slut på text".as_bytes());
        let p = dec(&b).unwrap();
        assert_eq!(p.encoding, "UTF-8");
        assert!(p.text.contains("Småland slut på text"), "{}", p.text);
        // Cut in the middle of a character at the end.
        let mut c = "Över ån till Åre".as_bytes().to_vec();
        c.push(0xC3);
        assert_eq!(text(&c), "Över ån till Åre\u{FFFD}");
    }

    #[test]
    fn legacy_detected() {
        let (b, _, _) = encoding_rs::WINDOWS_1252.encode("Regeringen föreslår att skolor får ökade möjligheter att göra så här, både i år och nästa år.");
        let p = dec(&b).unwrap();
        assert_eq!(p.encoding, "windows-1252");
        assert!(p.text.contains("föreslår") && p.text.contains("både i år"));
    }

    #[test]
    fn html_declared_charset() {
        let (b, _, _) = encoding_rs::WINDOWS_1252.encode("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"></head><body>Hör här</body>");
        let p = decode("a.html".into(), Format::Html, &b).unwrap();
        assert_eq!(p.encoding, "windows-1252");
        assert!(p.text.contains("Hör här"));
        assert_eq!(
            declared_charset(b"<meta charset='utf-8'>"),
            Some(encoding_rs::UTF_8)
        );
        assert_eq!(
            declared_charset(b"<META CHARSET=windows-1252>"),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(declared_charset(b"<p>no meta</p>"), None);
        // Declared UTF-8 but the bytes are cp1252: detection wins.
        let (b, _, _) = encoding_rs::WINDOWS_1252.encode(
            "<meta charset=\"utf-8\"><p>Överenskommelse för bättre vård på sjukhus i Västerås</p>",
        );
        let p = decode("a.html".into(), Format::Html, &b).unwrap();
        assert!(
            p.text
                .contains("Överenskommelse för bättre vård på sjukhus i Västerås"),
            "{}",
            p.text
        );
    }

    #[test]
    fn normalisation() {
        assert_eq!(text(b"a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(text(b"\x1B[1mfet\x1B[0m text\x0C\x07\x7F."), "fet text.");
        assert_eq!(text("skol\u{AD}frånvaro arbets\u{200B}marknad lands\u{2060}bygd a\u{200C}b\u{200D}c\u{FEFF}d".as_bytes()), "skolfrånvaro arbetsmarknad landsbygd abcd");
        assert_eq!(text("x\u{0085}y\u{00A0}z\tw".as_bytes()), "xy\u{00A0}z\tw");
        assert_eq!(text(b"\x1B]0;title\x07kvar"), "kvar");
        assert_eq!(text(b"a\x1B[31"), "a");
        assert_eq!(text(b"a\x1B[31;1x b"), "a b");
    }

    /// The char-at-a-time normalisation that `normalize_text` replaced: the reference.
    fn normalize_reference(text: &str) -> String {
        fn skip_escape(it: &mut std::iter::Peekable<std::str::Chars<'_>>) {
            match it.peek() {
                Some('[') => {
                    it.next();
                    while let Some(&c) = it.peek() {
                        if ('\u{20}'..='\u{3F}').contains(&c) {
                            it.next();
                        } else {
                            if ('\u{40}'..='\u{7E}').contains(&c) {
                                it.next();
                            }
                            break;
                        }
                    }
                }
                Some(']') => {
                    it.next();
                    let mut n = 0;
                    while let Some(&c) = it.peek() {
                        if c == '\u{07}' {
                            it.next();
                            break;
                        }
                        if c == '\u{1B}' || c == '\n' || n >= 512 {
                            break;
                        }
                        it.next();
                        n += 1;
                    }
                }
                Some(&c) if ('\u{40}'..='\u{5F}').contains(&c) => {
                    it.next();
                }
                _ => {}
            }
        }
        let mut out = String::new();
        let mut it = text.chars().peekable();
        while let Some(c) = it.next() {
            match c {
                '\r' => {
                    if it.peek() == Some(&'\n') {
                        it.next();
                    }
                    out.push('\n');
                }
                '\u{1B}' => skip_escape(&mut it),
                '\n' | '\t' => out.push(c),
                '\0'..='\u{1F}' | '\u{7F}'..='\u{9F}' => {}
                '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}'
                | '\u{2060}' | '\u{FEFF}' => {}
                _ => out.push(c),
            }
        }
        out
    }

    fn same_normalisation(text: &str) {
        let got = normalize_text(Cow::Borrowed(text));
        assert_eq!(got, normalize_reference(text), "{text:?}");
        if got == text {
            assert!(matches!(got, Cow::Borrowed(_)), "allocated for {text:?}");
        }
        let nfc: String = {
            use unicode_normalization::UnicodeNormalization;
            text.nfc().collect()
        };
        if is_nfc_fast(text) {
            assert_eq!(nfc, text, "called NFC: {text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn normalisation_is_the_references(
            text in "[a\\x00-\\x1F\\x7F\\[\\]\\x{80}-\\x{A0}\\x{AD}\\x{2000}-\\x{2061}\\x{FEFF}\\x{FEFE}\\x{300}-\\x{36F}åäöÅ;0-9@~ ]{0,40}"
        ) {
            same_normalisation(&text);
        }

        #[test]
        fn any_text_normalises_as_the_reference(text in "\\PC{0,40}") {
            same_normalisation(&text);
        }
    }

    #[test]
    fn normalisation_of_real_pages_is_the_references() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut n = 0;
        for dir in [root.join("import"), root.join("../shared/corpus/bad")] {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in entries {
                let Ok(bytes) = std::fs::read(e.unwrap().path()) else {
                    continue; // a folder
                };
                same_normalisation(&String::from_utf8_lossy(&bytes));
                n += 1;
            }
        }
        assert!(n >= 5, "{n} files");
        let long_osc = format!("a\x1B]{}\x07b", "é".repeat(600));
        same_normalisation(&long_osc);
        same_normalisation("a\x1B[31;1\u{e5}b\r\r\n\u{C2}");
    }

    #[test]
    fn nfc_applied() {
        assert_eq!(text("Sjo\u{308}fart".as_bytes()), "Sjöfart");
    }

    #[test]
    fn huge_single_line_is_linear() {
        let s = "Regeringen har beslutat om ett förslag till ändrat program för Europeiska socialfonden. ";
        let mut data = s.repeat(50_000_000 / s.len()).into_bytes();
        data.extend_from_slice("\r slut\u{AD}et".as_bytes()); // forces the slow path
        let t0 = std::time::Instant::now();
        let p = dec(&data).unwrap();
        assert!(p.text.ends_with("\n slutet"));
        assert!(t0.elapsed().as_secs() < 20, "took {:?}", t0.elapsed());
    }

    // ---- the real files of shared/corpus/bad ----

    #[test]
    fn bad_skips() {
        assert_eq!(bad_page("empty.txt").unwrap_err(), SkipReason::Empty);
        assert_eq!(
            bad_page("whitespace-only.txt").unwrap_err(),
            SkipReason::NoText
        );
        assert_eq!(
            bad_page("png-renamed.txt").unwrap_err(),
            SkipReason::Binary("PNG image".into())
        );
        assert_eq!(
            bad_page("pdf-renamed.txt").unwrap_err(),
            SkipReason::Binary("PDF document".into())
        );
        assert_eq!(
            bad_page("gzip-renamed.txt").unwrap_err(),
            SkipReason::Binary("gzip data".into())
        );
        assert_eq!(Format::of(Path::new("image.png")), None);
        assert_eq!(Format::of(Path::new("dump-without-extension")), None);
        assert_eq!(
            Format::of(Path::new("UPPERCASE-EXTENSION.TXT")),
            Some(Format::Text)
        );
        assert_eq!(
            Format::of(Path::new("old-extension.htm")),
            Some(Format::Html)
        );
    }

    fn no_junk(t: &str) {
        assert!(
            !t.chars().any(|c| c == '\r'
                || c == '\0'
                || c == '\u{FFFD}'
                || (c.is_control() && c != '\n' && c != '\t')),
            "junk in {t:?}"
        );
    }

    #[test]
    fn bad_utf16_roundtrip() {
        // The UTF-8 original is not in the corpus: check that our text, written back as
        // UTF-16 with the file's BOM and line ends, gives exactly the file's bytes.
        for (name, le) in [("utf16le-bom.txt", true), ("utf16be-bom.txt", false)] {
            let bytes = bad(name);
            let p = bad_page(name).unwrap();
            no_junk(&p.text);
            let crlf = bytes
                .windows(4)
                .any(|w| w == b"\r\0\n\0" || w == b"\0\r\0\n");
            let orig = if crlf {
                p.text.replace('\n', "\r\n")
            } else {
                p.text.clone()
            };
            let mut back: Vec<u8> = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            back.extend(orig.encode_utf16().flat_map(|u| {
                if le {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            }));
            assert_eq!(back, bytes, "{name}");
            assert!(p.text.contains("besöker"), "{name}");
        }
        assert!(bad_page("utf16le-bom.txt")
            .unwrap()
            .text
            .starts_with("Socialtjänstministern besöker Göteborg\n\n"));
        assert!(bad_page("utf16be-bom.txt")
            .unwrap()
            .text
            .starts_with("Statsministern besöker Skåne\n\n"));
    }

    #[test]
    fn bad_encodings() {
        let t = bad_page("truncated-utf8.txt").unwrap();
        assert_eq!(t.encoding, "UTF-8");
        assert!(t.text.contains("Tid för media"));
        assert!(t.text.ends_with("Pride House, V") || t.text.ends_with("Pride House, V\u{FFFD}"));
        assert_eq!(t.text.matches('\u{FFFD}').count(), 1);

        let m = bad_page("invalid-utf8-middle.txt").unwrap();
        assert_eq!(m.encoding, "UTF-8");
        assert!(
            !m.text.contains('\u{FFFD}') && !m.text.contains('Ã'),
            "{}",
            m.text
        );
        let orig = bad("invalid-utf8-middle.txt");
        // Every valid UTF-8 run of the file is in the text unchanged.
        for chunk in orig.utf8_chunks() {
            assert!(m.text.contains(chunk.valid().trim_matches('\r')));
        }

        let l = bad_page("latin1-no-declaration.txt").unwrap();
        assert_eq!(l.encoding, "windows-1252");
        assert!(l.text.contains('å') && l.text.contains('ä') && l.text.contains('ö'));
        no_junk(&l.text);

        for h in ["declared-utf8-but-cp1252.html", "latin1-declared.html"] {
            let p = bad_page(h).unwrap();
            assert_eq!(p.encoding, "windows-1252", "{h}");
            no_junk(&p.text);
            assert!(p.text.contains("för"), "{h}");
        }
        assert!(bad_page("declared-utf8-but-cp1252.html")
            .unwrap()
            .text
            .contains("Ny strategi för EU:s inre marknad"));
        assert!(bad_page("latin1-declared.html")
            .unwrap()
            .text
            .contains("Miljonsatsning på bättre vård"));
    }

    #[test]
    fn bad_controls_and_newlines() {
        let n = bad_page("nul-bytes.txt").unwrap();
        assert_eq!(bad("nul-bytes.txt").iter().filter(|&&b| b == 0).count(), 8);
        no_junk(&n.text);

        let c = bad_page("control-chars.txt").unwrap();
        no_junk(&c.text);
        assert!(!c.text.contains('\u{1B}') && !c.text.contains("[1m"));
        for w in ["skolfrånvaro", "arbetsmarknad", "landsbygd"] {
            assert!(c.text.contains(w), "{w}");
        }
        assert!(c.text.contains("Sidan skrevs ut från webbplatsen"));

        for f in ["cr-only-newlines.txt", "mixed-line-endings.txt"] {
            let p = bad_page(f).unwrap();
            no_junk(&p.text);
            let crs = bad(f).iter().filter(|&&b| b == b'\r' || b == b'\n').count();
            let crlfs = bad(f).windows(2).filter(|w| w == b"\r\n").count();
            assert_eq!(p.text.matches('\n').count(), crs - crlfs, "{f}");
        }
    }

    #[test]
    fn bad_plain_imports() {
        for f in [
            "long-line.txt",
            "Fråga om bidrag – åäö ÅÄÖ.txt",
            "Sjo\u{308}fart och hamnar \u{2013} la\u{308}sanvisning.txt", // NFD on disk
            "UPPERCASE-EXTENSION.TXT",
            "english-page.txt",
            "boilerplate-only.txt",
            "old-extension.htm",
            "broken.html",
            "deep-nesting.html",
            "script-only.html",
        ] {
            let p = bad_page(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            assert_eq!(p.encoding, "UTF-8", "{f}");
            no_junk(&p.text);
        }
        let deep = "nested/niva-01/niva-02/niva-03/niva-04/niva-05/niva-06/niva-07/niva-08/niva-09/niva-10/niva-11/niva-12/niva-13/niva-14/niva-15/niva-16/niva-17/niva-18/niva-19/niva-20/niva-21/niva-22/niva-23/niva-24/niva-25/niva-26/niva-27/niva-28/niva-29/niva-30/djup-sida.txt";
        assert!(bad_page(deep).is_ok());
    }

    /// `cargo test --lib decode::tests::dev_encodings -- --ignored`: every dev file is read
    /// in the encoding gold.jsonl names, with no U+FFFD.
    #[test]
    #[ignore = "reads all 4495 dev files"]
    fn dev_encodings() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/dev");
        let gold = std::fs::read_to_string(format!("{dir}/gold.jsonl")).expect("gold");
        let mut wrong = Vec::new();
        for rec in gold.lines() {
            let v: serde_json::Value = serde_json::from_str(rec).expect("json");
            let file = v["file"].as_str().expect("file");
            let want = match v["encoding"].as_str() {
                Some("windows-1252") => "windows-1252",
                _ => "UTF-8",
            };
            let bytes = std::fs::read(format!("{dir}/{file}")).expect("read");
            let format = Format::of(Path::new(file)).expect("format");
            let p = decode(file.into(), format, &bytes).expect("decodes");
            if p.encoding != want || p.text.contains('\u{FFFD}') {
                wrong.push((file.to_string(), p.encoding));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} wrong: {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(10)]
        );
    }
}
