//! Language of the kept text, as an ISO 639-1 code: whatlang, with two shortcuts that
//! Swedish spelling allows.
//!
//! whatlang costs about 0.1 ms a page whatever the length (it scores every Latin-script
//! language), more than the rest of cleaning a page. Running Swedish text settles the
//! question on its own: words such as *och*, *är*, *att*, *inte* exist in no language
//! whatlang confuses with Swedish (Norwegian and Danish write *og*, *er*, *å/at*,
//! *ikke*). And Danish and Norwegian are never written with *ä* or *ö*, which whatlang
//! forgets on short texts (a Swedish treaty title comes out as `nb`).

/// Function words only Swedish has, among the languages whatlang knows.
const SWEDISH_ONLY: &[&str] = &[
    "och", "är", "att", "inte", "ett", "från", "också", "när", "där", "hur", "även", "mycket",
    "mellan", "skulle", "hade", "vad", "sina", "vid",
];

/// Function words of the languages next to Swedish (Norwegian, Danish, English, German).
const NEIGHBOURS_ONLY: &[&str] = &[
    "og", "ikke", "er", "jeg", "af", "fra", "også", "når", "hvor", "hva", "hvad", "skal", "være",
    "meget", "the", "and", "is", "of", "to", "und", "ist", "nicht", "das", "ich",
];

/// Swedish-only function words needed to call a text Swedish without whatlang.
const MIN_SWEDISH_WORDS: usize = 6;

/// The same, for a text with `ä` or `ö` and no word of the neighbouring languages.
const MIN_SWEDISH_WORDS_SHORT: usize = 2;

/// ISO 639-1 code of the language of `text`, `None` when the text is too short or the
/// guess unreliable.
pub fn detect(text: &str, min_confidence: f64) -> Option<String> {
    // A thousand bytes of running text is plenty for whatlang.
    let mut end = text.len().min(1000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    if sample.chars().filter(|c| c.is_alphabetic()).count() < 20 {
        return None;
    }
    let (swedish, neighbours) = function_words(sample);
    if swedish >= MIN_SWEDISH_WORDS && neighbours * 4 <= swedish {
        return Some("sv".to_string());
    }
    // A short page (a title and a paragraph) has few function words; a couple of
    // Swedish-only ones, none of the neighbours' and Swedish letters settle it too.
    if swedish >= MIN_SWEDISH_WORDS_SHORT && neighbours == 0 && has_swedish_letters(sample) {
        return Some("sv".to_string());
    }
    let info = whatlang::detect(sample)?;
    if !info.is_reliable() && info.confidence() < min_confidence {
        return None;
    }
    let code = iso1(info.lang().code())?;
    if matches!(code, "nb" | "nn" | "da") && swedish > neighbours && has_swedish_letters(sample) {
        return Some("sv".to_string());
    }
    Some(code.to_string())
}

/// How many words of `text` are Swedish-only and neighbour-only function words.
fn function_words(text: &str) -> (usize, usize) {
    let (mut sv, mut other) = (0, 0);
    for w in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| (2..=6).contains(&w.len()))
    {
        super::normalize::with_lower(w, |lower| {
            if SWEDISH_ONLY.contains(&lower) {
                sv += 1;
            } else if NEIGHBOURS_ONLY.contains(&lower) {
                other += 1;
            }
        });
    }
    (sv, other)
}

/// `ä` or `ö` and no `æ` or `ø`: spelt like Swedish, not like Danish or Norwegian.
fn has_swedish_letters(text: &str) -> bool {
    let has = |set: &[char]| text.chars().any(|c| set.contains(&c));
    has(&['ä', 'ö', 'Ä', 'Ö']) && !has(&['æ', 'ø', 'Æ', 'Ø'])
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

    #[test]
    fn running_swedish_needs_no_whatlang_and_neighbours_are_not_swedish() {
        let sv = "Det är viktigt att barnen går i skolan och att de inte stannar hemma. Skolan ska också se till att eleverna får stöd när de behöver det, och hur det går till.";
        assert!(super::function_words(sv).0 >= super::MIN_SWEDISH_WORDS);
        assert_eq!(super::detect(sv, 0.3).as_deref(), Some("sv"));
        let nb = "Det er viktig at barna går på skolen og at de ikke blir hjemme. Skolen skal også sørge for at elevene får støtte når de trenger det, og hvordan det skjer.";
        assert_ne!(super::detect(nb, 0.3).as_deref(), Some("sv"));
        assert!(super::function_words(nb).1 > super::function_words(nb).0);
        let da = "Det er vigtigt, at børnene går i skole, og at de ikke bliver hjemme. Skolen skal også sørge for, at eleverne får støtte, når de har brug for det.";
        assert_ne!(super::detect(da, 0.3).as_deref(), Some("sv"));
    }

    #[test]
    fn a_short_swedish_page_needs_two_function_words_and_swedish_letters() {
        let short = "Uppdrag att utarbeta ett könsperspektiv i beslutsstödet";
        assert_eq!(super::function_words(short), (2, 0));
        assert_eq!(super::detect(short, 0.3).as_deref(), Some("sv"));
        // Finnish has ä and ö but none of the Swedish function words.
        let fi = "Hallitus päätti tänään antaa sosiaali- ja terveysministeriölle tehtävän";
        assert_eq!(super::function_words(fi).0, 0);
        assert_ne!(super::detect(fi, 0.3).as_deref(), Some("sv"));
        // German has ä and ö, and words of the neighbours' list.
        let de = "Die Regierung hat heute beschlossen, dass die Behörde für ältere Menschen und Kinder zuständig ist";
        assert!(super::function_words(de).1 > 0);
        assert_ne!(super::detect(de, 0.3).as_deref(), Some("sv"));
    }

    #[test]
    fn swedish_letters_overrule_a_danish_or_norwegian_guess() {
        assert!(super::has_swedish_letters(
            "Överenskommelse med Finlands regering"
        ));
        assert!(!super::has_swedish_letters(
            "Overenskomst med Finlands regjering, førsteårs"
        ));
        assert!(!super::has_swedish_letters("Övrigt på dansk: smørrebrød"));
    }
}
