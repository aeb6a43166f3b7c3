//! The Quickwit side of an export: the index config for the documents it writes.
//!
//! Title, subtitle and body are indexed with positions (phrase queries) and field
//! norms (BM25) by Quickwit's built-in `en_stem` tokenizer: words split at anything not
//! a letter or digit, long tokens dropped, lower case, and tantivy's English stemmer
//! (the Snowball English stemmer, Porter2, as newsidx uses), so "tariffs" finds
//! "tariff" there too. What it lacks against newsidx's analyser is ASCII folding
//! ("Erdogan" does not find "Erdoğan"): a custom tokenizer could fold, but Quickwit's
//! custom tokenizers take only the `remove_long`, `lower_caser` and `ascii_folding`
//! filters, with no stemmer, and stemming matters more to English news. Nor can it
//! keep the people's names newsidx does not stem (`Hollande` is `holland` there).
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
           timestamp_field: published_at\n  \
           field_mappings:\n",
    );
    let text = |name: &str| {
        format!(
            "    - name: {name}\n      type: text\n      tokenizer: en_stem\n      record: position\n      fieldnorms: true\n"
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
