//! Reading a saved web page: its character set, its main text and what it says about
//! itself (title, authors, dates, url, site, language), and whether it is an article
//! at all.
//!
//! [`extract_bytes`] is the whole path, bytes to [`Page`]: [`charset`] decodes,
//! [`dom`] parses, [`body`] finds the main text, [`meta`] the metadata. Nothing here
//! reads files; `ingest` hands pages in (a file, or a WARC record's payload).

pub mod body;
pub mod charset;
pub mod dom;
mod entities;
pub mod meta;

use chrono::NaiveDate;

pub use meta::Dated;

/// What is known about a page from outside it (a web archive's record).
#[derive(Debug, Default, Clone)]
pub struct Hints<'a> {
    /// The url the page was fetched from.
    pub url: Option<&'a str>,
    /// The character set its HTTP response declared.
    pub charset: Option<&'a str>,
    /// When it was captured: the latest plausible publication date, and the date
    /// used when the page gives none.
    pub captured: Option<NaiveDate>,
}

/// What a page holds.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub title: Option<String>,
    /// The main text, paragraphs separated by blank lines.
    pub body: String,
    pub published: Option<Dated>,
    pub modified: Option<Dated>,
    pub authors: Vec<String>,
    /// The canonical url, else the url it was fetched from.
    pub url: Option<String>,
    /// The site's name, else the url's host.
    pub source: Option<String>,
    pub language: Option<String>,
    /// Why this page is not an article (a home page, a listing, an error page…).
    pub not_article: Option<NotArticle>,
}

/// Why a page is not an article: a stable code and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotArticle {
    /// `not_article_error`, `not_article_login`, `not_article_home`,
    /// `not_article_short` or `not_article_links`: the ingest summary counts by it.
    pub code: &'static str,
    pub why: String,
}

impl NotArticle {
    fn new(code: &'static str, why: impl Into<String>) -> Option<NotArticle> {
        Some(NotArticle {
            code,
            why: why.into(),
        })
    }
}

impl std::fmt::Display for NotArticle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

/// Decodes and reads one page; the second value is a warning about the decoding
/// (bytes that were not valid in the declared character set).
pub fn extract_bytes(bytes: &[u8], hints: &Hints<'_>) -> (Page, Option<String>) {
    let decoded = charset::decode_html(bytes, hints.charset);
    let page = extract(&decoded.text, hints);
    let warning = decoded.had_errors.then(|| {
        format!(
            "bytes not valid in the page's character set ({}) were replaced",
            decoded.encoding
        )
    });
    (page, warning)
}

/// Reads one decoded page.
pub fn extract(html: &str, hints: &Hints<'_>) -> Page {
    let dom = dom::Dom::parse(html);
    let meta = meta::Meta::read(&dom);
    let latest = hints
        .captured
        .unwrap_or_else(|| chrono::Local::now().date_naive())
        .succ_opt()
        .unwrap_or(NaiveDate::MAX);
    let url = meta::canonical(&dom, &meta, hints.url).or_else(|| hints.url.map(str::to_string));
    let site = meta::site_name(&meta);
    let host = url.as_deref().and_then(meta::host);
    let title = meta::title(&dom, &meta, site.as_deref().or(host.as_deref()));
    let main = body::main_text(&dom, title.as_deref());
    let published = meta::published(&dom, &meta, url.as_deref(), latest);
    let modified = meta::modified(&dom, &meta, latest);
    let authors = meta::authors(&dom, &meta);
    let language = meta::language(&dom, &meta);
    let not_article = classify(&dom, &meta, &main, title.as_deref(), url.as_deref());
    Page {
        title,
        body: main.text,
        published,
        modified,
        authors,
        url,
        source: site.or(host),
        language,
        not_article,
    }
}

/// Why a page is not an article, or `None` when it is one.
fn classify(
    dom: &dom::Dom,
    meta: &meta::Meta,
    main: &body::MainText,
    title: Option<&str>,
    url: Option<&str>,
) -> Option<NotArticle> {
    let og_article = meta
        .get("og:type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("article"));
    let declared = og_article || meta.ld.is_article;
    let t = title.unwrap_or("").to_lowercase();
    if main.chars < 1500 && (t.contains("404") || t.contains("not found") || t.contains("error")) {
        return NotArticle::new("not_article_error", "an error page (its title says so)");
    }
    let password = dom.elements(dom::Tag::Input).any(|i| {
        dom.attr(i, "type")
            .is_some_and(|t| t.eq_ignore_ascii_case("password"))
    });
    if password && !declared && main.chars < 1000 {
        return NotArticle::new("not_article_login", "a login page");
    }
    let home = url
        .and_then(meta::url_path)
        .map(|p| p.split(['?', '#']).next().unwrap_or(""))
        .is_some_and(|p| {
            matches!(
                p.trim_end_matches('/').to_ascii_lowercase().as_str(),
                "" | "/index.html" | "/index.htm" | "/index.php" | "/home" | "/default.aspx"
            )
        });
    if home && !declared {
        return NotArticle::new(
            "not_article_home",
            "a home page (its url is the site's root)",
        );
    }
    let min = if declared { 150 } else { 400 };
    if main.chars < min {
        return NotArticle::new(
            "not_article_short",
            format!("too little text ({} characters)", main.chars),
        );
    }
    if !declared && main.paragraphs < 2 && main.page_link_density > 0.5 {
        return NotArticle::new(
            "not_article_links",
            format!(
                "a list of links (a home or section page: {:.0}% of its text is links)",
                main.page_link_density * 100.0
            ),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_article() {
        let para = "The committee met on Tuesday and agreed, after a long debate, to publish its findings next month. ";
        let html = format!(
            "<html lang=en-GB><head><title>Committee agrees to publish | The Paper</title>\
             <meta property=og:site_name content='The Paper'>\
             <meta property=article:published_time content=2019-11-19T10:00:00Z>\
             <meta name=author content='Jane Roe'>\
             <link rel=canonical href=/news/committee></head>\
             <body><nav><a href=/>Home</a></nav><article><h1>Committee agrees to publish</h1>\
             <p>{}</p><p>{}</p></article></body></html>",
            para.repeat(3),
            para.repeat(2)
        );
        let p = extract(
            &html,
            &Hints {
                url: Some("https://paper.example/x?y"),
                ..Hints::default()
            },
        );
        assert_eq!(p.title.as_deref(), Some("Committee agrees to publish"));
        assert_eq!(
            p.url.as_deref(),
            Some("https://paper.example/news/committee")
        );
        assert_eq!(p.source.as_deref(), Some("The Paper"));
        assert_eq!(p.language.as_deref(), Some("en"));
        assert_eq!(p.authors, ["Jane Roe"]);
        let d = p.published.unwrap();
        assert_eq!(d.date.to_string(), "2019-11-19");
        assert_eq!(d.from, crate::article::DateSource::Meta);
        assert_eq!(p.body.split("\n\n").count(), 2);
        assert_eq!(p.not_article, None);
    }

    #[test]
    fn a_home_page_is_not_an_article() {
        let links: String = (0..50)
            .map(|i| format!("<li><a href=/s{i}>Story number {i} of the day</a></li>"))
            .collect();
        let html = format!("<html><title>The Paper</title><body><ul>{links}</ul></body></html>");
        let p = extract(
            &html,
            &Hints {
                url: Some("https://paper.example/"),
                ..Hints::default()
            },
        );
        assert!(p.not_article.is_some());
    }
}
