//! Language of the kept text (whatlang), as an ISO 639-1 code.

/// ISO 639-1 code of the language of `text`, `None` when the text is too short or the
/// guess unreliable.
pub fn detect(text: &str, min_confidence: f64) -> Option<String> {
    // A thousand bytes of running text is plenty for whatlang, and it is the costliest
    // step of cleaning when given whole pages.
    let mut end = text.len().min(1000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    if sample.chars().filter(|c| c.is_alphabetic()).count() < 20 {
        return None;
    }
    let info = whatlang::detect(sample)?;
    if !info.is_reliable() && info.confidence() < min_confidence {
        return None;
    }
    iso1(info.lang().code()).map(str::to_string)
}

fn iso1(code3: &str) -> Option<&'static str> {
    Some(match code3 {
        "swe" => "sv",
        "eng" => "en",
        "nob" => "nb",
        "nno" => "nn",
        "dan" => "da",
        "fin" => "fi",
        "deu" => "de",
        "fra" => "fr",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "nld" => "nl",
        "pol" => "pl",
        "rus" => "ru",
        "ukr" => "uk",
        "ara" => "ar",
        "pes" => "fa",
        "tur" => "tr",
        "est" => "et",
        "lav" => "lv",
        "lit" => "lt",
        "ell" => "el",
        "hun" => "hu",
        "ces" => "cs",
        "slk" => "sk",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "bos" => "bs",
        "ron" => "ro",
        "bul" => "bg",
        "som" => "so",
        "tir" => "ti",
        "amh" => "am",
        "cmn" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "tha" => "th",
        "vie" => "vi",
        "hin" => "hi",
        "heb" => "he",
        "epo" => "eo",
        "lat" => "la",
        "afr" => "af",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn detects_sv_and_en() {
        assert_eq!(super::detect("Regeringen har i dag beslutat att ge Socialstyrelsen i uppdrag att kartlägga vården för äldre.", 0.3).as_deref(), Some("sv"));
        assert_eq!(super::detect("The Committee discussed the bilateral relationship as well as selected foreign policy concerns of mutual interest.", 0.3).as_deref(), Some("en"));
        assert_eq!(super::detect("Ja", 0.3), None);
    }
}
