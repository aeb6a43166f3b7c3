//! A page's character set, in the order browsers settle it: a byte-order mark, the
//! HTTP `Content-Type` header (a web archive keeps it), a `<meta charset>` or
//! `<meta http-equiv="Content-Type">` near the top, then UTF-8 if the bytes are valid
//! UTF-8, else Windows-1252 (what `ISO-8859-1` pages really are).

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

pub struct DecodedPage {
    pub text: String,
    pub encoding: &'static str,
    /// Some bytes were not valid in that encoding and became U+FFFD.
    pub had_errors: bool,
}

/// How far into the page a `<meta>` declaration is looked for.
const PRESCAN: usize = 16 * 1024;

pub fn decode_html(bytes: &[u8], http_charset: Option<&str>) -> DecodedPage {
    let (enc, skip) = match Encoding::for_bom(bytes) {
        Some((e, n)) => (e, n),
        None => {
            let declared = http_charset
                .and_then(|c| Encoding::for_label(c.trim().as_bytes()))
                .or_else(|| meta_charset(&bytes[..bytes.len().min(PRESCAN)]))
                .map(|e| {
                    // A page cannot be UTF-16 and hold ASCII `<meta>`: such labels lie.
                    if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE {
                        UTF_8
                    } else if e == encoding_rs::X_USER_DEFINED {
                        WINDOWS_1252
                    } else {
                        e
                    }
                });
            match declared {
                Some(e) => (e, 0),
                None if std::str::from_utf8(bytes).is_ok() => (UTF_8, 0),
                None => (WINDOWS_1252, 0),
            }
        }
    };
    let (text, had_errors) = enc.decode_without_bom_handling(&bytes[skip..]);
    DecodedPage {
        text: text.into_owned(),
        encoding: enc.name(),
        had_errors,
    }
}

/// The encoding named by a `charset=` inside a `<meta>` tag.
pub fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut from = 0;
    while let Some(k) = memchr::memmem::find(&head[from..], b"<") {
        let start = from + k;
        from = start + 1;
        let tag = &head[start..];
        if tag.len() < 6 || !tag[1..5].eq_ignore_ascii_case(b"meta") {
            continue;
        }
        let end = memchr::memchr(b'>', tag).unwrap_or(tag.len());
        let tag = &tag[..end];
        let lower: Vec<u8> = tag.iter().map(u8::to_ascii_lowercase).collect();
        let Some(c) = memchr::memmem::find(&lower, b"charset") else {
            continue;
        };
        let mut i = c + 7;
        while i < tag.len() && matches!(tag[i], b' ' | b'=' | b'"' | b'\'') {
            i += 1;
        }
        let j = tag[i..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')))
            .map_or(tag.len(), |p| i + p);
        if let Some(e) = Encoding::for_label(&tag[i..j]) {
            return Some(e);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_of_evidence() {
        // Windows-1252 bytes for "café – ‘x’".
        let page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body>caf\xe9 \x96 \x91x\x92</body>";
        let d = decode_html(page, None);
        assert!(d.text.contains("café – ‘x’"), "{}", d.text);
        assert!(!d.had_errors);
        // The HTTP header wins over a meta tag.
        let d = decode_html("<meta charset=iso-8859-1>ü".as_bytes(), Some("utf-8"));
        assert!(d.text.ends_with('ü'));
        // No declaration: valid UTF-8 is UTF-8, anything else Windows-1252.
        assert_eq!(decode_html("ü".as_bytes(), None).text, "ü");
        assert_eq!(decode_html(b"\xfc", None).text, "ü");
        // A byte-order mark beats everything.
        assert_eq!(
            decode_html(b"\xef\xbb\xbf<meta charset=koi8-r>\xc3\xbc", None).text,
            "<meta charset=koi8-r>ü"
        );
        let d = decode_html("<meta charset=\"Shift_JIS\">".as_bytes(), None);
        assert_eq!(d.encoding, "Shift_JIS");
    }
}
