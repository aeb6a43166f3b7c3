//! British and American spellings of one word: a news archive holds both (the BBC
//! writes "defence", CNN "defense"), and a reader types one. A query word is also
//! searched as its other spelling where the index holds it (see `rank::alternatives`).
//!
//! Rules, each checked in both directions on a lower-case word:
//! - `-ise`/`-ize` and `-yse`/`-yze` with their inflections (`organisation`,
//!   `criticised`, `analysing`);
//! - stems of a closed list for `-our`/`-or`, `-tre`/`-ter`, `-ence`/`-ense`,
//!   `-ogue`/`-og` and a doubled `l` (`travelled`), each with the endings English adds;
//! - whole words that differ otherwise (`programme`, `sceptic`, `manoeuvre`).
//!
//! Beside them, a headline's word and the plain word an article also writes for it
//! ([`plain_words`]: "blaze", "fire"), one way.
//!
//! Lists, not letter rules, where a rule would join different words: "four" is not
//! "for", "filled" is not "filed", "tire" and "story" have other meanings.

/// `-ise` endings and their `-ize` twins (`-yse`/`-yze` beside them).
const ISE: &[(&str, &str)] = &[
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("isers", "izers"),
    ("iser", "izer"),
    ("ise", "ize"),
    ("ysing", "yzing"),
    ("ysed", "yzed"),
    ("yses", "yzes"),
    ("yse", "yze"),
];

/// British stems that end in `-our` (American `-or`).
const OUR: &[&str] = &[
    "ardour",
    "armour",
    "behaviour",
    "candour",
    "clamour",
    "colour",
    "endeavour",
    "favour",
    "fervour",
    "flavour",
    "glamour",
    "harbour",
    "honour",
    "humour",
    "labour",
    "neighbour",
    "odour",
    "parlour",
    "rigour",
    "rumour",
    "saviour",
    "splendour",
    "tumour",
    "valour",
    "vapour",
    "vigour",
];

/// British stems that end in `-tre` (American `-ter`).
const TRE: &[&str] = &[
    "calibre", "centre", "fibre", "litre", "lustre", "meagre", "metre", "sabre", "sombre",
    "spectre", "theatre",
];

/// British nouns in `-ence` (American `-ense`).
const ENCE: &[&str] = &["defence", "licence", "offence", "pretence"];

/// British nouns in `-ogue` (American `-og`).
const OGUE: &[&str] = &["analogue", "catalogue", "dialogue"];

/// Stems whose last `l` British doubles before `-ed`, `-ing`, `-er`, `-or`
/// (travelled, traveled).
const DOUBLE_L: &[&str] = &[
    "cancel", "channel", "counsel", "dial", "duel", "equal", "fuel", "jewel", "label", "level",
    "libel", "marshal", "marvel", "model", "panel", "pedal", "quarrel", "rival", "signal", "total",
    "travel", "tunnel",
];

/// Whole words, British first.
const WORDS: &[(&str, &str)] = &[
    ("ageing", "aging"),
    ("aluminium", "aluminum"),
    ("anaesthetic", "anesthetic"),
    ("diarrhoea", "diarrhea"),
    ("encyclopaedia", "encyclopedia"),
    ("enrol", "enroll"),
    ("enrolment", "enrollment"),
    ("foetus", "fetus"),
    ("fulfil", "fulfill"),
    ("fulfilment", "fulfillment"),
    ("grey", "gray"),
    ("haemorrhage", "hemorrhage"),
    ("instalment", "installment"),
    ("jewellery", "jewelry"),
    ("judgement", "judgment"),
    ("leukaemia", "leukemia"),
    ("manoeuvre", "maneuver"),
    ("manoeuvres", "maneuvers"),
    ("marvellous", "marvelous"),
    ("mould", "mold"),
    ("moustache", "mustache"),
    ("oestrogen", "estrogen"),
    ("paediatric", "pediatric"),
    ("plough", "plow"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("pyjamas", "pajamas"),
    ("sceptic", "skeptic"),
    ("sceptical", "skeptical"),
    ("scepticism", "skepticism"),
    ("sceptics", "skeptics"),
    ("skilful", "skillful"),
    ("smoulder", "smolder"),
    ("wilful", "willful"),
];

/// Words of headlines and of speech, and the plain words an article also writes for
/// them: a headline's "blaze" is the body's "fire", a "probe" an "investigation". A
/// query word of the left is also searched as those of the right, one way only: an
/// article about a fire need not say "blaze", nor one about an investigation "probe".
/// Drawn from published glossaries of headline words (Wikipedia's "Headline
/// language"; teachers' lists of headline vocabulary: accord, axe, bid, blast, blaze,
/// cop, crook, curb, envoy, hike, mull, nab, pact, probe, quit, quiz, row, slam, spat,
/// temblor, tot, vow), with everyday words for which news writes the plain one (kids,
/// mum, jab, chopper, teen) and American words a British outlet writes otherwise
/// (soccer, movie, truck). A word with one plain sense only: `back` (support), `go`
/// (be sold) or `hit` are words of their own far more often.
const PLAIN: &[(&str, &[&str])] = &[
    ("accord", &["agreement"]),
    ("accords", &["agreements"]),
    ("axe", &["scrap"]),
    ("axed", &["scrapped"]),
    ("bid", &["attempt"]),
    ("bids", &["attempts"]),
    ("blast", &["explosion"]),
    ("blasts", &["explosions"]),
    ("blaze", &["fire"]),
    ("blazes", &["fires"]),
    ("chopper", &["helicopter"]),
    ("choppers", &["helicopters"]),
    ("cop", &["police"]),
    ("cops", &["police"]),
    ("crook", &["criminal"]),
    ("crooks", &["criminals"]),
    ("curb", &["limit", "restrict"]),
    ("curbs", &["limits", "restrictions"]),
    ("envoy", &["ambassador", "diplomat"]),
    ("envoys", &["ambassadors", "diplomats"]),
    ("hike", &["increase", "rise"]),
    ("hikes", &["increases", "rises"]),
    ("jab", &["vaccine", "injection"]),
    ("jabs", &["vaccines", "injections"]),
    ("kid", &["child"]),
    ("kids", &["children"]),
    ("lorries", &["trucks"]),
    ("lorry", &["truck"]),
    ("mom", &["mother"]),
    ("moms", &["mothers"]),
    ("movie", &["film"]),
    ("movies", &["films"]),
    ("mull", &["consider"]),
    ("mulls", &["considers"]),
    ("mum", &["mother"]),
    ("mums", &["mothers"]),
    ("nab", &["arrest"]),
    ("nabbed", &["arrested"]),
    ("pact", &["agreement", "treaty"]),
    ("pacts", &["agreements", "treaties"]),
    ("probe", &["investigation", "inquiry"]),
    ("probes", &["investigations", "inquiries"]),
    ("quit", &["resign"]),
    ("quits", &["resigns"]),
    ("quiz", &["question"]),
    ("quizzed", &["questioned"]),
    ("row", &["dispute"]),
    ("rows", &["disputes"]),
    ("slam", &["criticise", "criticize"]),
    ("slammed", &["criticised", "criticized"]),
    ("slams", &["criticises", "criticizes"]),
    ("soccer", &["football"]),
    ("spat", &["dispute"]),
    ("teen", &["teenager"]),
    ("teens", &["teenagers"]),
    ("temblor", &["earthquake"]),
    ("tot", &["toddler"]),
    ("tots", &["toddlers"]),
    ("truck", &["lorry"]),
    ("trucks", &["lorries"]),
    ("vow", &["promise", "pledge"]),
    ("vowed", &["promised", "pledged"]),
    ("vows", &["promises", "pledges"]),
];

/// The plain words for a headline's or speech's word ([`PLAIN`]) as typed, none for
/// another, nor for one typed in capitals: `COP` is the climate conference.
pub fn plain_words(typed: &str) -> Vec<String> {
    if super::rank::in_capitals(typed) {
        return Vec::new();
    }
    let word = typed.to_lowercase();
    PLAIN
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, p)| p.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default()
}

/// Endings a stem of the lists takes (and none).
const ENDINGS: &[&str] = &[
    "", "s", "ed", "ing", "ite", "ites", "able", "ably", "ful", "less", "er", "ers", "al", "ally",
    "hood", "hoods", "d",
];

/// The other spellings of `word` (lower case), none if it has none. Not checked
/// against any index: the caller keeps those the archive holds.
pub fn variants(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if !word.is_ascii() || word.len() < 4 {
        return out;
    }
    let mut push = |v: String| {
        if v != word && !out.contains(&v) {
            out.push(v);
        }
    };
    for &(uk, us) in WORDS {
        if word == uk {
            push(us.to_string());
        } else if word == us {
            push(uk.to_string());
        }
    }
    // -ise/-ize: at least three letters before the ending ("realise", not "rise").
    for &(uk, us) in ISE {
        for (from, to) in [(uk, us), (us, uk)] {
            if let Some(stem) = word.strip_suffix(from) {
                if stem.len() >= 3 {
                    push(format!("{stem}{to}"));
                }
            }
        }
    }
    let stems = |list: &[&str], uk_end: &str, us_end: &str, push: &mut dyn FnMut(String)| {
        for uk in list {
            let base = &uk[..uk.len() - uk_end.len()];
            let Some(rest) = word.strip_prefix(base) else {
                continue;
            };
            for (from, to) in [(uk_end, us_end), (us_end, uk_end)] {
                if let Some(ending) = rest.strip_prefix(from) {
                    if ENDINGS.contains(&ending) {
                        push(format!("{base}{to}{ending}"));
                    }
                }
            }
        }
    };
    stems(OUR, "our", "or", &mut push);
    stems(TRE, "tre", "ter", &mut push);
    stems(ENCE, "ence", "ense", &mut push);
    stems(OGUE, "ogue", "og", &mut push);
    const L_ENDINGS: [&str; 6] = ["ed", "ing", "er", "ers", "or", "ors"];
    for stem in DOUBLE_L {
        let Some(rest) = word.strip_prefix(stem) else {
            continue;
        };
        if L_ENDINGS.contains(&rest) {
            push(format!("{stem}l{rest}"));
        } else if let Some(single) = rest.strip_prefix('l').filter(|r| L_ENDINGS.contains(r)) {
            push(format!("{stem}{single}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{plain_words, variants, PLAIN};

    #[test]
    fn a_headline_word_is_also_its_plain_word_one_way() {
        assert_eq!(plain_words("blaze"), ["fire"]);
        assert_eq!(plain_words("probe"), ["investigation", "inquiry"]);
        assert_eq!(plain_words("kids"), ["children"]);
        // The plain word is not searched as the headline's.
        assert!(plain_words("fire").is_empty());
        assert!(plain_words("investigation").is_empty());
        // Capitals are as typed: a word in capitals is an abbreviation.
        assert_eq!(plain_words("Blaze"), ["fire"]);
        assert!(plain_words("COP").is_empty());
        // Sorted, for a reader to find a word; never a word of its own plain words.
        assert!(PLAIN.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(PLAIN.iter().all(|(w, p)| !p.contains(w)));
    }

    #[test]
    fn both_directions() {
        for (uk, us) in [
            ("defence", "defense"),
            ("organisation", "organization"),
            ("criticised", "criticized"),
            ("analysing", "analyzing"),
            ("labour", "labor"),
            ("neighbouring", "neighboring"),
            ("favourite", "favorite"),
            ("centre", "center"),
            ("theatres", "theaters"),
            ("catalogue", "catalog"),
            ("travelled", "traveled"),
            ("cancelling", "canceling"),
            ("programme", "program"),
            ("sceptical", "skeptical"),
            ("internationalisation", "internationalization"),
        ] {
            assert_eq!(variants(uk), [us], "{uk}");
            assert_eq!(variants(us), [uk], "{us}");
        }
    }

    #[test]
    fn words_that_only_look_alike_have_none() {
        for w in [
            "four",
            "for",
            "hour",
            "tour",
            "your",
            "filled",
            "filed",
            "rise",
            "wise",
            "tire",
            "story",
            "check",
            "offer",
            "center-right",
            "präsident",
            "the",
            "sense",
        ] {
            assert!(variants(w).is_empty(), "{w}: {:?}", variants(w));
        }
    }
}
