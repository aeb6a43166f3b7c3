//! The Quickwit side of an export: the index config for the documents it writes.
//!
//! Title, subtitle and body are indexed with positions (phrase queries) and field
//! norms (BM25). Quickwit has no English stemmer: its built-in tokenizers are `raw`,
//! `default`, `lowercase`, `whitespace`, `chinese_compatible` and the source-code
//! ones, and a custom tokenizer may only add `remove_long`, `lower_caser` and
//! `ascii_folding` filters; `en_stem`, listed in older documentation, is gone. So the
//! config defines `news` as newsidx's analyser without the stemming: "tariffs" does
//! not find "tariff" there.
//!
//! Fields Quickwit cannot map (arrays of objects: the tags with their mentions, the
//! dates, the near copies) are kept by the `dynamic` mode, stored and not indexed;
//! the flat fields beside them (`country`, `leader`, `org`, `mentions`) are the ones to
//! filter and count on.

/// The index config, as `quickwit index create --index-config` takes it.
pub fn index_config() -> String {
    let mut out = String::from(
        "# Quickwit index config for a newsidx export (`newsidx export --to quickwit`).\n\
         version: 0.8\n\
         index_id: newsidx\n\
         doc_mapping:\n  \
           mode: dynamic\n  \
           dynamic_mapping:\n    \
             indexed: false\n    \
             stored: true\n  \
           tokenizers:\n    \
             - name: news\n      \
               type: simple\n      \
               filters: [remove_long, lower_caser, ascii_folding]\n  \
           timestamp_field: published_at\n  \
           field_mappings:\n",
    );
    let text = |name: &str| {
        format!(
            "    - name: {name}\n      type: text\n      tokenizer: news\n      record: position\n      fieldnorms: true\n"
        )
    };
    let raw = |name: &str, ty: &str, fast: bool| {
        let fast = if fast { "\n      fast: true" } else { "" };
        format!("    - name: {name}\n      type: {ty}\n      tokenizer: raw{fast}\n")
    };
    for f in ["title", "subtitle", "body"] {
        out.push_str(&text(f));
    }
    out.push_str(&raw("id", "text", false));
    out.push_str(&raw("path", "text", false));
    out.push_str("    - name: record\n      type: u64\n");
    out.push_str(&raw("url", "text", false));
    out.push_str(&raw("source", "text", true));
    out.push_str(&raw("source_raw", "text", true));
    out.push_str(&raw("authors", "array<text>", true));
    out.push_str(&raw("group", "text", true));
    out.push_str(&raw("published", "text", false));
    out.push_str(&raw("published_from", "text", false));
    for f in ["country", "place_country", "leader", "org", "mentions"] {
        out.push_str(&raw(f, "array<text>", true));
    }
    out.push_str(
        "    - name: published_at\n      type: datetime\n      input_formats: [rfc3339]\n      output_format: rfc3339\n      fast_precision: seconds\n      fast: true\n",
    );
    out.push_str("search_settings:\n  default_search_fields: [title, subtitle, body]\n");
    out
}
