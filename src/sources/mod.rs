//! One source per outlet: "CNN", "cnn.com", "www.cnn.com" and "edition.cnn.com" are
//! the same source, shown as "CNN".
//!
//! The index keeps each article's source as its file said it (a name, a host from its
//! url, a web page's site name); this module says which outlet that is, when a search
//! is answered. Doing it at read time rather than at ingest means a table a user
//! extends takes effect at once, for articles already indexed, without a rebuild.
//!
//! A source is a host when it looks like one (`cnn.com`, `https://edition.cnn.com/…`):
//! the table's hosts are looked up from the full host down to its registrable domain
//! (`edition.cnn.com`, then `cnn.com`), and a host the table does not know is shown as
//! its registrable domain (`news.example.co.uk` → `example.co.uk`). Otherwise it is a
//! name, looked up in any case, without diacritics, spaces or punctuation (`RTE`,
//! `rté` → `RTÉ`); a name the table does not know whole is known by a part of it set off
//! by brackets, a bar or a dash (`Deutsche Welle (www.dw.com)` → `DW`, `CNN - Politics`
//! → `CNN`), else shown as written.
//!
//! The table is `outlets.tsv` beside this file, read before it a user's
//! `sources.tsv` in the index folder (same format: one outlet a line, the name to show,
//! then tab-separated the other names and hosts it goes by).

use crate::search::resolve::fold;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

/// The user's table, looked for in the index folder.
pub const USER_FILE: &str = "sources.tsv";

/// A user table larger than this is not read (a table of outlets is a few KiB).
const USER_FILE_MAX: u64 = 16 << 20;

/// Names and hosts → the name shown.
#[derive(Debug, Clone, Default)]
pub struct SourceTable {
    display: Vec<String>,
    /// Compact folded name (see [`name_key`]) → index into `display`.
    names: HashMap<String, usize>,
    /// Lower-case host without `www.` → index into `display`.
    hosts: HashMap<String, usize>,
}

/// A table and what was wrong with the user's part of it, one line each
/// (`PATH:LINE: what (what to do)`): a bad line is left out, the rest is used.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The shipped table itself when the index folder has no table of its own.
    pub table: Cow<'static, SourceTable>,
    pub problems: Vec<String>,
}

const SHIPPED: &str = include_str!("outlets.tsv");

impl SourceTable {
    /// The shipped table alone.
    pub fn shipped() -> &'static SourceTable {
        static T: std::sync::OnceLock<SourceTable> = std::sync::OnceLock::new();
        T.get_or_init(|| {
            let mut t = SourceTable::default();
            t.add_lines(SHIPPED, &mut |_, _| {});
            t
        })
    }

    /// Adds each line `name<TAB>other name or host<TAB>…`; a name or host already in
    /// the table keeps its outlet (so lines read first win).
    fn add_lines(&mut self, text: &str, bad: &mut dyn FnMut(usize, String)) {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let mut cells = line.split('\t').map(str::trim);
            let shown = cells.next().unwrap_or_default();
            if shown.is_empty() || fold(shown).is_empty() {
                bad(
                    i + 1,
                    "the first column, the name to show, is empty".to_string(),
                );
                continue;
            }
            let id = match self.display.iter().position(|d| d == shown) {
                Some(id) => id,
                None => {
                    self.display.push(shown.to_string());
                    self.display.len() - 1
                }
            };
            for cell in std::iter::once(shown).chain(cells) {
                if cell.is_empty() {
                    continue;
                }
                if let Some(h) = as_host(cell) {
                    self.hosts.entry(h).or_insert(id);
                } else {
                    let k = name_key(cell);
                    if !k.is_empty() {
                        self.names.entry(k).or_insert(id);
                    }
                }
            }
        }
    }

    /// The name to show for a source as an article gave it.
    pub fn canonical<'a>(&self, raw: &'a str) -> Cow<'a, str> {
        let t = raw.trim();
        if let Some(host) = as_host(t) {
            let labels: Vec<&str> = host.split('.').collect();
            let keep = registrable_labels(&labels);
            for start in 0..=labels.len() - keep {
                if let Some(&id) = self.hosts.get(&labels[start..].join(".")) {
                    return Cow::Owned(self.display[id].clone());
                }
            }
            // A name that happens to be written as a host ("CNN.com" as a site name)
            // is still a host: its registrable domain.
            return Cow::Owned(labels[labels.len() - keep..].join("."));
        }
        if let Some(&id) = self.names.get(&name_key(t)) {
            return Cow::Owned(self.display[id].clone());
        }
        // A name with its host or another of its names beside it: "Deutsche Welle
        // (www.dw.com)", "BBC News - Business", "Reuters | reuters.com". The first part
        // the table knows names the outlet; a name none of whose parts it knows stays
        // as written.
        let parts = t
            .split(['(', ')', '[', ']', '|', '\u{2014}', '\u{2013}', '\u{00B7}'])
            .flat_map(|p| p.split(" - "))
            .map(str::trim)
            .filter(|p| !p.is_empty() && *p != t);
        for part in parts {
            let id = match as_host(part) {
                Some(host) => {
                    let labels: Vec<&str> = host.split('.').collect();
                    let keep = registrable_labels(&labels);
                    (0..=labels.len() - keep)
                        .find_map(|start| self.hosts.get(&labels[start..].join(".")))
                }
                None => self.names.get(&name_key(part)),
            };
            if let Some(&id) = id {
                return Cow::Owned(self.display[id].clone());
            }
        }
        Cow::Borrowed(t)
    }
}

impl Sources {
    /// The shipped table, with the user's `sources.tsv` in `index_dir` read first when
    /// there is one.
    pub fn load(index_dir: &Path) -> Sources {
        let path = index_dir.join(USER_FILE);
        let mut problems = Vec::new();
        let text = match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                problems.push(format!(
                    "{}: cannot be read ({e}); the shipped table of sources is used",
                    path.display()
                ));
                None
            }
            Ok(m) if !m.is_file() => {
                problems.push(format!(
                    "{}: is {}, not a file (the shipped table of sources is used)",
                    path.display(),
                    crate::error::kind_of(&m)
                ));
                None
            }
            Ok(m) if m.len() > USER_FILE_MAX => {
                problems.push(format!(
                    "{}: is larger than {} MiB, not a table of sources (it is left out)",
                    path.display(),
                    USER_FILE_MAX >> 20
                ));
                None
            }
            Ok(_) => match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(s) => Some(s),
                    Err(_) => {
                        problems.push(format!(
                            "{}: is not UTF-8 text (save it as UTF-8; it is left out)",
                            path.display()
                        ));
                        None
                    }
                },
                Err(e) => {
                    problems.push(format!(
                        "{}: cannot be read ({e}); the shipped table of sources is used",
                        path.display()
                    ));
                    None
                }
            },
        };
        let Some(text) = text else {
            return Sources {
                table: Cow::Borrowed(SourceTable::shipped()),
                problems,
            };
        };
        let mut table = SourceTable::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        table.add_lines(text, &mut |line, what| {
            problems.push(crate::error::bounded(
                &format!(
                    "{}:{line}: {what} (write the name to show, then the other names and hosts, separated by tabs; the line is left out)",
                    path.display()
                ),
                400,
            ))
        });
        table.add_lines(SHIPPED, &mut |_, _| {});
        Sources {
            table: Cow::Owned(table),
            problems,
        }
    }
}

/// A name as it is compared: lower case, without diacritics, punctuation or spaces.
fn name_key(s: &str) -> String {
    fold(s).chars().filter(|c| !c.is_whitespace()).collect()
}

/// The lower-case host of a url or of a bare host name, without a leading `www.`;
/// `None` for anything else (a name with spaces, an IP address, one word).
pub fn as_host(s: &str) -> Option<String> {
    let s = s.trim();
    let lower = s.to_lowercase();
    let rest = match lower.find("://") {
        Some(i) => &lower[i + 3..],
        None => lower.as_str(),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if lower.contains("://") || authority.len() < rest.len() {
        // A url, or a host followed by a path: its host.
    } else if s.chars().any(char::is_whitespace) {
        return None;
    }
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || !l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        || !labels
            .last()
            .is_some_and(|t| t.chars().count() >= 2 && t.chars().all(char::is_alphabetic))
    {
        return None;
    }
    let mut labels = &labels[..];
    while labels.len() > 2 && matches!(labels[0], "www" | "www1" | "www2" | "www3") {
        labels = &labels[1..];
    }
    Some(labels.join("."))
}

/// Second-level labels under which a country's domains are registered (`co.uk`,
/// `com.au`, `or.jp`): under a two-letter top-level domain these make a public suffix
/// of two labels.
const SECOND_LEVEL: &[&str] = &[
    "ac", "co", "com", "ed", "edu", "go", "gob", "gouv", "gov", "govt", "gv", "id", "lg", "ltd",
    "me", "mil", "ne", "net", "nic", "nhs", "or", "org", "plc", "sch",
];

/// Hosting services whose subdomains are separate sites (from the public suffix list's
/// private part): `x.blogspot.com` is its own source.
const SHARED_HOSTS: &[&str] = &[
    "blogspot.com",
    "wordpress.com",
    "substack.com",
    "tumblr.com",
    "github.io",
    "medium.com",
    "typepad.com",
    "livejournal.com",
    "appspot.com",
    "netlify.app",
    "pages.dev",
    "web.app",
];

/// How many labels at the end of a host make its registrable domain: the public
/// suffix and one label before it (`bbc.co.uk`: 3, `edition.cnn.com`: 2).
fn registrable_labels(labels: &[&str]) -> usize {
    let n = labels.len();
    let shared = n >= 2 && SHARED_HOSTS.contains(&labels[n - 2..].join(".").as_str());
    let national = n >= 2
        && labels[n - 1].len() == 2
        && labels[n - 1].is_ascii()
        && SECOND_LEVEL.contains(&labels[n - 2]);
    let suffix = if shared || national { 2 } else { 1 };
    (suffix + 1).min(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(raw: &str) -> String {
        SourceTable::shipped().canonical(raw).into_owned()
    }

    #[test]
    fn names_and_hosts_of_one_outlet_are_one_source() {
        for raw in [
            "CNN",
            "cnn",
            "cnn.com",
            "www.cnn.com",
            "edition.cnn.com",
            "https://edition.cnn.com/2017/03/01/politics/x.html",
            "CNN.com",
            "Cable News Network",
        ] {
            assert_eq!(c(raw), "CNN", "{raw}");
        }
        for (raw, want) in [
            ("dw.com", "DW"),
            ("www.dw.com", "DW"),
            ("Deutsche Welle", "DW"),
            ("aljazeera.com", "Al Jazeera"),
            ("Al-Jazeera", "Al Jazeera"),
            ("rte.ie", "RTÉ"),
            ("RTE", "RTÉ"),
            ("rté", "RTÉ"),
            ("tass.com", "TASS"),
            ("abcnews.go.com", "ABC News"),
            ("europe.chinadaily.com.cn", "China Daily"),
            ("www.bbc.co.uk", "BBC"),
            ("日本経済新聞 電子版", "Nikkei"),
            ("m.yna.co.kr", "Yonhap News Agency"),
        ] {
            assert_eq!(c(raw), want, "{raw}");
        }
    }

    #[test]
    fn unknown_hosts_fold_to_their_registrable_domain() {
        for (raw, want) in [
            ("www.example.com", "example.com"),
            ("m.example.com", "example.com"),
            ("amp.news.example.com", "example.com"),
            ("news.example.co.uk", "example.co.uk"),
            ("www.example.com.au", "example.com.au"),
            ("example.co.jp", "example.co.jp"),
            ("Example.COM.", "example.com"),
            ("someone.blogspot.com", "someone.blogspot.com"),
            ("http://user@www.example.org:8080/a?b", "example.org"),
            ("t.co", "t.co"),
            ("co.uk", "co.uk"),
        ] {
            assert_eq!(c(raw), want, "{raw}");
        }
    }

    #[test]
    fn a_name_with_its_host_or_section_beside_it_is_its_outlet() {
        for (raw, want) in [
            ("Deutsche Welle (www.dw.com)", "DW"),
            ("CNN - Politics", "CNN"),
            ("Politics | CNN", "CNN"),
            ("Al Jazeera English (aljazeera.com)", "Al Jazeera"),
            ("Local paper (example.com)", "Local paper (example.com)"),
            ("The Paper - Opinion", "The Paper - Opinion"),
        ] {
            assert_eq!(c(raw), want, "{raw}");
        }
    }

    #[test]
    fn unknown_names_stay_as_written() {
        for raw in [
            "newsidx specification",
            "The Paper",
            "127.0.0.1",
            "ABC",
            "Local",
        ] {
            assert_eq!(c(raw), raw, "{raw}");
        }
        assert_eq!(c("  The Paper "), "The Paper");
    }

    #[test]
    fn a_user_table_is_read_first_and_its_bad_lines_are_reported() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join(USER_FILE),
            "# mine\nNikkei Asia\tasia.nikkei.com\tNikkei Asian Review\n\tno name\nThe Paper\t澎湃新闻\tthepaper.cn\n",
        )
        .unwrap();
        let s = Sources::load(d.path());
        assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
        assert!(
            s.problems[0].contains("sources.tsv:3:"),
            "{}",
            s.problems[0]
        );
        let t = &s.table;
        assert_eq!(t.canonical("asia.nikkei.com"), "Nikkei Asia");
        assert_eq!(t.canonical("Nikkei Asian Review"), "Nikkei Asia");
        assert_eq!(t.canonical("www.nikkei.com"), "Nikkei");
        assert_eq!(t.canonical("澎湃新闻"), "The Paper");
        assert_eq!(t.canonical("www.thepaper.cn"), "The Paper");
        assert_eq!(t.canonical("cnn.com"), "CNN");
        // No file: the shipped table, no problem.
        let e = tempfile::tempdir().unwrap();
        let s = Sources::load(e.path());
        assert!(s.problems.is_empty());
        assert_eq!(s.table.canonical("cnn.com"), "CNN");
    }

    #[test]
    fn every_shipped_line_is_good_and_no_name_or_host_is_claimed_twice() {
        let mut seen: HashMap<String, String> = HashMap::new();
        for line in SHIPPED.lines().filter(|l| !l.starts_with('#')) {
            let cells: Vec<&str> = line.split('\t').collect();
            assert!(!cells[0].is_empty(), "{line}");
            for cell in &cells {
                assert_eq!(cell.trim(), *cell, "{line}");
                let key = as_host(cell).unwrap_or_else(|| name_key(cell));
                if let Some(other) = seen.insert(key.clone(), cells[0].to_string()) {
                    assert_eq!(other, cells[0], "{key} is claimed twice");
                }
            }
        }
    }
}
