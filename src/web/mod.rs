//! The web page of `newsidx serve` (`GET /`): one HTML file, one JavaScript module and
//! a style sheet, compiled into the binary, so the page needs no files beside the
//! binary, no network and no build step. The page talks to the JSON API of
//! [`crate::server`] only; `assets/app.js` says how it is built.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// One file of the page.
pub struct Asset {
    /// The URL path it is served at.
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

/// Every file of the page.
pub static ASSETS: [Asset; 4] = [
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        body: include_bytes!("assets/index.html"),
    },
    Asset {
        path: "/assets/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("assets/app.js"),
    },
    Asset {
        path: "/assets/style.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("assets/style.css"),
    },
    Asset {
        path: "/assets/favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("assets/favicon.svg"),
    },
];

/// The page's routes, to merge into the server's router.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let mut r = Router::new();
    for a in &ASSETS {
        r = r.route(a.path, get(move |h: HeaderMap| async move { serve(a, &h) }));
    }
    r
}

/// The file, or 304 when the browser's copy is current. The names carry no version,
/// so browsers ask again each time (`no-cache`) and the ETag spares the body.
fn serve(a: &'static Asset, h: &HeaderMap) -> Response {
    let etag = format!("\"{}\"", &blake3::hash(a.body).to_hex()[..16]);
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(a.content_type),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::ETAG,
            HeaderValue::from_str(&etag).expect("hex is a header value"),
        ),
    ];
    let current = h
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if current {
        (StatusCode::NOT_MODIFIED, headers).into_response()
    } else {
        (StatusCode::OK, headers, a.body).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(path: &str) -> &'static str {
        let a = ASSETS.iter().find(|a| a.path == path).unwrap();
        std::str::from_utf8(a.body).unwrap()
    }

    #[test]
    fn the_page_references_only_embedded_files() {
        let html = text("/");
        for attr in ["src=\"", "href=\""] {
            for part in html.split(attr).skip(1) {
                let url = &part[..part.find('"').unwrap()];
                assert!(
                    ASSETS.iter().any(|a| a.path == url),
                    "index.html refers to {url}, which is not embedded"
                );
            }
        }
    }

    #[test]
    fn no_inline_script_or_style_and_no_network() {
        let html = text("/");
        assert!(!html.contains("<style"), "inline style");
        assert!(!html.contains(" style="), "style attribute");
        for part in html.split("<script").skip(1) {
            let tag = &part[..part.find('>').unwrap()];
            assert!(tag.contains("src="), "inline script: <script{tag}>");
        }
        let handler = regex::Regex::new(r"\son[a-z]+\s*=").unwrap();
        assert!(!handler.is_match(html), "an inline event handler");
        for a in &ASSETS {
            let t = std::str::from_utf8(a.body).unwrap();
            for scheme in ["http://", "https://", "//cdn"] {
                // The SVG namespace is a name, not a request.
                let uses = t
                    .match_indices(scheme)
                    .filter(|(i, _)| !t[i + scheme.len()..].starts_with("www.w3.org/"))
                    .count();
                assert_eq!(uses, 0, "{} reaches the network ({scheme})", a.path);
            }
        }
    }

    #[test]
    fn article_text_never_goes_through_html_parsing() {
        let js = text("/assets/app.js");
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!js.contains(sink), "app.js uses {sink}");
        }
    }

    #[test]
    fn etag_answers_not_modified() {
        let a = &ASSETS[1];
        let first = serve(a, &HeaderMap::new());
        assert_eq!(first.status(), StatusCode::OK);
        let etag = first.headers()[header::ETAG].clone();
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, etag);
        assert_eq!(serve(a, &h).status(), StatusCode::NOT_MODIFIED);
    }
}
