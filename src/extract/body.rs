//! The main text of a page: the element whose paragraphs outweigh everything else
//! around them, with navigation, link lists, comments, sharing and advertising left
//! out, paragraphs kept as paragraphs.
//!
//! 1. Elements that are never the article's text are set aside with all they hold:
//!    scripts, forms' controls, `nav`/`aside`/`footer`/`header`, hidden elements,
//!    ARIA landmarks for navigation, and elements whose class or id names a kind of
//!    boilerplate (`comments`, `share`, `related`, `newsletter`, `cookie`, `ad`…) —
//!    unless one holds most of the page's paragraph text (a wrapper whose class
//!    happens to say `has-sidebar`).
//! 2. Each text block (the nearest block element around a run of text) gets a weight:
//!    its characters outside links less a fixed cost per block, or minus its length
//!    when most of it is link text. A long paragraph weighs a lot; a menu of short
//!    items or a list of related links weighs less than nothing.
//! 3. The element whose blocks weigh most in sum is the article's container: taking
//!    in a sidebar or a link list costs more than it brings.
//! 4. Its blocks are written out in order, each as a paragraph, except link lists,
//!    the headline and advertisement labels.

use super::dom::{push_collapsed, Dom, NodeId, Tag, NONE};

/// What [`main_text`] found.
#[derive(Debug, Default)]
pub struct MainText {
    pub text: String,
    /// Characters (not white space) in `text`.
    pub chars: usize,
    /// Blocks of 100 characters or more that end like a sentence.
    pub paragraphs: usize,
    /// Of all the text in the page's body (outside scripts), the share in links.
    pub page_link_density: f32,
}

/// A fixed cost per text block: a menu of many short items weighs less than nothing.
const BLOCK_COST: f32 = 20.0;

pub fn main_text(dom: &Dom, headline: Option<&str>) -> MainText {
    let n = dom.len();
    if n == 0 {
        return MainText::default();
    }
    // Pass 1: each element's text block (itself when a block, else its parent's),
    // whether it sits in a link, and the characters each node holds.
    let mut owner = vec![0 as NodeId; n];
    let mut in_link = vec![false; n];
    // Inside a quotation (an embedded post is one): quoted text is the article's.
    let mut quoted = vec![false; n];
    let mut chars = vec![0u32; n];
    // Text no reader sees: scripts, styles, the head.
    let mut unseen = vec![false; n];
    for i in 1..n as NodeId {
        let node = dom.node(i);
        let p = node.parent as usize;
        let u = i as usize;
        unseen[u] = unseen[p]
            || matches!(
                node.tag,
                Tag::Script | Tag::Style | Tag::Noscript | Tag::Template | Tag::Title | Tag::Head
            );
        in_link[u] = in_link[p] || node.tag == Tag::A;
        quoted[u] = quoted[p] || node.tag == Tag::Blockquote;
        // A table row is one block: its cells are the parts of one line of data.
        let own = node.tag.is_block() && !matches!(node.tag, Tag::Td | Tag::Th | Tag::Br);
        owner[u] = if own { i } else { owner[p] };
        if node.tag == Tag::Text && !unseen[u] {
            chars[u] = count_chars(dom.text(i));
        }
    }
    // Paragraph-like text under each element (for the wrapper protection): blocks of
    // 80 characters or more, mostly outside links.
    let mut raw_chars = vec![0u32; n];
    let mut raw_links = vec![0u32; n];
    for i in 1..n {
        if dom.tag(i as NodeId) == Tag::Text && !unseen[i] {
            let o = owner[i] as usize;
            raw_chars[o] += chars[i];
            if in_link[i] {
                raw_links[o] += chars[i];
            }
        }
    }
    let mut ptext = vec![0u32; n];
    for i in (1..n).rev() {
        if raw_chars[i] >= 80 && (raw_links[i] as f32) < 0.3 * raw_chars[i] as f32 {
            ptext[i] += raw_chars[i] - raw_links[i];
        }
        let p = dom.node(i as NodeId).parent as usize;
        ptext[p] += ptext[i];
    }
    let total_p = ptext[0].max(1) as f32;
    // An embedded post (`<div class="social-embed"><blockquote>…`) is quoted text,
    // whatever its box is called: a box that is mostly a quotation is kept.
    let mut sub_text = vec![0u32; n];
    let mut quote_text = vec![0u32; n];
    for i in (1..n).rev() {
        sub_text[i] += raw_chars[i];
        if quoted[i] {
            quote_text[i] += raw_chars[i];
        }
        let p = dom.node(i as NodeId).parent as usize;
        sub_text[p] += sub_text[i];
        quote_text[p] += quote_text[i];
    }
    let holds_quote: Vec<bool> = (0..n)
        .map(|i| quote_text[i] >= 20 && quote_text[i] * 2 >= sub_text[i])
        .collect();
    // Pass 2: what is set aside.
    let mut junk = vec![false; n];
    for i in 1..n as NodeId {
        let u = i as usize;
        let node = dom.node(i);
        if node.tag == Tag::Text {
            junk[u] = junk[node.parent as usize];
            continue;
        }
        junk[u] = junk[node.parent as usize]
            || (is_boilerplate(dom, i) && (ptext[u] as f32) < 0.6 * total_p && !holds_quote[u]);
    }
    // Pass 3: the blocks' characters and link characters, outside what was set aside.
    let mut block_chars = vec![0u32; n];
    let mut block_links = vec![0u32; n];
    // Characters of the link a block starts with (a headline leading a teaser).
    let mut lead_link = vec![0u32; n];
    let mut page_links = 0u32;
    let mut page_chars = 0u32;
    for i in 1..n {
        if dom.tag(i as NodeId) != Tag::Text || unseen[i] {
            continue;
        }
        page_chars += chars[i];
        if in_link[i] {
            page_links += chars[i];
        }
        if junk[i] {
            continue;
        }
        let o = owner[i] as usize;
        if block_chars[o] == 0 && in_link[i] {
            lead_link[o] = chars[i];
        } else if block_chars[o] == lead_link[o] && in_link[i] && lead_link[o] > 0 {
            lead_link[o] += chars[i];
        }
        block_chars[o] += chars[i];
        if in_link[i] {
            block_links[o] += chars[i];
        }
    }
    // Pass 4: weights, summed up the tree.
    let mut score = vec![0f32; n];
    let mut keep = vec![false; n];
    let headline_key = headline.map(fold);
    for i in 0..n {
        let c = block_chars[i] as f32;
        if c == 0.0 {
            continue;
        }
        let l = block_links[i] as f32;
        let density = l / c;
        let tag = dom.tag(i as NodeId);
        score[i] = if density > 0.5 {
            -c
        } else {
            let w = if tag.is_heading() { 0.5 } else { 1.0 };
            (c - l) * w - BLOCK_COST
        };
        keep[i] = density <= 0.5
            && !is_label(dom, i as NodeId)
            && !(c < 100.0 && !quoted[i] && is_date_line(dom, i as NodeId));
        if tag == Tag::H1 || (tag.is_heading() && headline_key.is_some()) {
            if let Some(h) = &headline_key {
                if tag == Tag::H1 || fold(&dom.text_content(i as NodeId)) == *h {
                    keep[i] = false;
                }
            }
        }
    }
    // Teasers: a short text beside a headline link, alone in a small box (a card
    // of "more stories"), is a summary of another page.
    let mut nblocks = vec![0u16; n];
    let mut nlinks = vec![0u16; n];
    let mut text_in = vec![0u32; n];
    for i in (1..n).rev() {
        if block_chars[i] > 0 {
            nblocks[i] = nblocks[i].saturating_add(1);
            let linky = block_links[i] * 2 > block_chars[i] && block_links[i] >= 15;
            if linky {
                nlinks[i] = nlinks[i].saturating_add(1);
            }
            text_in[i] += block_chars[i] - block_links[i];
        }
        let p = dom.node(i as NodeId).parent as usize;
        if !junk[i] {
            nblocks[p] = nblocks[p].saturating_add(nblocks[i]);
            nlinks[p] = nlinks[p].saturating_add(nlinks[i]);
            text_in[p] += text_in[i];
        }
    }
    for i in 1..n {
        if block_chars[i] == 0 || !keep[i] || score[i] <= 0.0 || quoted[i] {
            continue;
        }
        // The smallest box around this block that holds another block.
        let mut a = dom.node(i as NodeId).parent;
        for _ in 0..4 {
            if a == NONE || a == 0 || nblocks[a as usize] >= 2 {
                break;
            }
            a = dom.node(a).parent;
        }
        if a == NONE || a == 0 {
            continue;
        }
        let a = a as usize;
        if nblocks[a] <= 3 && nlinks[a] >= 1 && text_in[a] < 400 {
            score[i] = -score[i];
            keep[i] = false;
        }
    }
    // Teasers in one block: one of several alike that starts with a headline link
    // and goes on with a summary cut short ("…").
    for i in 1..n {
        let c = block_chars[i];
        if c == 0 || !keep[i] || lead_link[i] < 25 || c >= 500 {
            continue;
        }
        let tag = dom.tag(i as NodeId);
        let parent = dom.node(i as NodeId).parent;
        let alike = dom.children(parent).filter(|&k| dom.tag(k) == tag).count();
        if alike < 3 {
            continue;
        }
        let t = dom.text_content(i as NodeId);
        if t.ends_with('…') || t.ends_with("...") {
            score[i] = -score[i].abs();
            keep[i] = false;
        }
    }
    let score_own = score.clone();
    for i in (1..n).rev() {
        let p = dom.node(i as NodeId).parent as usize;
        if !junk[i] {
            score[p] += score[i];
        }
    }
    // The container: the best sum; among equals, the deepest.
    let mut best = 0usize;
    for i in 0..n {
        if dom.tag(i as NodeId) != Tag::Text && !junk[i] && score[i] >= score[best] {
            best = i;
        }
    }
    // An article split by an embedded box (a related-links list, an advertisement)
    // leaves its best-scoring part smaller than the whole: go up while the parent
    // holds much more good text and still scores well.
    let mut good = vec![0f32; n];
    for i in 0..n {
        if !junk[i] && score_own[i] > 0.0 {
            good[i] = score_own[i];
        }
    }
    for i in (1..n).rev() {
        let p = dom.node(i as NodeId).parent as usize;
        if !junk[i] {
            good[p] += good[i];
        }
    }
    let top = score[best];
    loop {
        let p = dom.node(best as NodeId).parent;
        if p == NONE || p == 0 {
            break;
        }
        let p = p as usize;
        if good[p] >= 1.25 * good[best] && score[p] >= 0.5 * top {
            best = p;
        } else {
            break;
        }
    }
    static DEBUG: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *DEBUG.get_or_init(|| std::env::var_os("NEWSIDX_EXTRACT_DEBUG").is_some()) {
        let mut e = best as NodeId;
        while e != NONE && e != 0 {
            eprintln!(
                "container {:?} class={:?} id={:?} score={} junk={} ptext={}",
                dom.tag(e),
                dom.attr(e, "class").unwrap_or(""),
                dom.attr(e, "id").unwrap_or(""),
                score[e as usize],
                junk[e as usize],
                ptext[e as usize]
            );
            e = dom.node(e).parent;
        }
        eprintln!("total_p={total_p}");
    }
    let mut out = MainText {
        page_link_density: if page_chars > 0 {
            page_links as f32 / page_chars as f32
        } else {
            0.0
        },
        ..MainText::default()
    };
    write_text(
        dom,
        best as NodeId,
        &junk,
        &keep,
        &owner,
        &block_chars,
        &mut out,
    );
    out
}

fn write_text(
    dom: &Dom,
    top: NodeId,
    junk: &[bool],
    keep: &[bool],
    owner: &[NodeId],
    block_chars: &[u32],
    out: &mut MainText,
) {
    let mut text = String::new();
    let mut last_owner = NONE;
    let mut para_start = 0usize;
    let mut i = top;
    let end = dom.node(top).end;
    let finish = |text: &mut String, start: usize, out: &mut MainText| {
        let para = text[start..].trim();
        let c = count_chars(para) as usize;
        if c >= 100 && para.ends_with(['.', '!', '?', '"', '”', '。', '’', ')', '»']) {
            out.paragraphs += 1;
        }
        out.chars += c;
    };
    while i < end {
        let u = i as usize;
        let node = dom.node(i);
        if node.tag != Tag::Text {
            if junk[u]
                || matches!(
                    node.tag,
                    Tag::Script | Tag::Style | Tag::Title | Tag::Noscript
                )
            {
                i = node.end;
                continue;
            }
            if matches!(node.tag, Tag::Td | Tag::Th)
                && owner[u] == last_owner
                && !text.ends_with([' ', '\n'])
            {
                // Cells of one row are one line, with a space between them.
                text.push(' ');
            }
            if node.tag == Tag::Br && keep[owner[u] as usize] && owner[u] == last_owner {
                let trimmed = text.trim_end_matches(' ').len();
                text.truncate(trimmed);
                if !text.ends_with('\n') {
                    text.push('\n');
                }
            }
            i += 1;
            continue;
        }
        let o = owner[u];
        if !keep[o as usize] || block_chars[o as usize] == 0 {
            i += 1;
            continue;
        }
        if o != last_owner {
            if last_owner != NONE {
                finish(&mut text, para_start, out);
                let trimmed = text.trim_end().len();
                text.truncate(trimmed);
                text.push_str("\n\n");
            }
            para_start = text.len();
            last_owner = o;
        }
        let t = dom.text(i);
        if dom.tag(o) == Tag::Pre {
            text.push_str(t);
        } else {
            let before = text.len();
            push_collapsed(&mut text, t);
            // No space at the start of a paragraph or a line.
            if text.len() > before
                && (before == para_start || text[..before].ends_with('\n'))
                && text[before..].starts_with(' ')
            {
                text.remove(before);
            }
        }
        i += 1;
    }
    if last_owner != NONE {
        finish(&mut text, para_start, out);
    }
    out.text = text.trim().to_string();
}

/// Characters that are not white space.
fn count_chars(s: &str) -> u32 {
    if s.is_ascii() {
        return s.bytes().filter(|b| !b.is_ascii_whitespace()).count() as u32;
    }
    s.chars().filter(|c| !c.is_whitespace()).count() as u32
}

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A short line that gives a date ("Published: November 19, 2019 at 8:59 pm",
/// "Nov 18, 2019 · Updated…"): the page's metadata, not its text.
fn is_date_line(dom: &Dom, id: NodeId) -> bool {
    let t = dom.text_content(id);
    t.split_whitespace().count() <= 14 && !super::meta::text_dates(&t).is_empty()
}

/// A block that only says "Advertisement" (in a few languages) or "Comments", or
/// only gives an address.
fn is_label(dom: &Dom, id: NodeId) -> bool {
    let node = dom.node(id);
    if node.end - id > 4 {
        return false;
    }
    let t = dom.text_content(id).to_lowercase();
    // A bare address (a page's own url printed for sharing).
    if (t.starts_with("http://") || t.starts_with("https://")) && !t.contains(' ') {
        return true;
    }
    matches!(
        t.trim_matches(|c: char| !c.is_alphanumeric()),
        "advertisement"
            | "advertising"
            | "advert"
            | "sponsored"
            | "ad"
            | "comments"
            | "anzeige"
            | "publicidad"
            | "publicité"
            | "pubblicità"
            | "реклама"
            | "광고"
            | "広告"
    )
}

/// Never the article's text: by element, by ARIA role, hidden, or by a class or id
/// that names a kind of boilerplate.
fn is_boilerplate(dom: &Dom, id: NodeId) -> bool {
    use Tag::*;
    let tag = dom.tag(id);
    if matches!(
        tag,
        Head | Title
            | Script
            | Style
            | Noscript
            | Template
            | Svg
            | Math
            | Canvas
            | Iframe
            | Object
            | Embed
            | Audio
            | Video
            | Button
            | Select
            | Option
            | Input
            | Textarea
            | Label
            | Nav
            | Aside
            | Footer
            | Header
            | Dialog
            | Menu
            | Figcaption
    ) {
        return true;
    }
    if dom.attr(id, "hidden").is_some() || dom.attr(id, "aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = dom.attr(id, "style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    if let Some(role) = dom.attr(id, "role") {
        let r = role.trim().to_ascii_lowercase();
        if matches!(
            r.as_str(),
            "navigation"
                | "complementary"
                | "contentinfo"
                | "banner"
                | "dialog"
                | "alertdialog"
                | "search"
                | "menu"
                | "menubar"
                | "toolbar"
                | "tablist"
        ) {
            return true;
        }
    }
    // A link or emphasis inside a sentence is part of it, whatever its class says
    // (`<a class="icon">the third quarter</a>`).
    if matches!(
        tag,
        A | B
            | I
            | Em
            | Strong
            | Sup
            | Sub
            | Time
            | Abbr
            | Cite
            | Code
            | Mark
            | Q
            | S
            | U
            | Var
            | Kbd
            | Samp
            | Br
    ) {
        return false;
    }
    // The parts of a table name its data (`<tr class="player-2020">`, a row of
    // standings), not page furniture; the table itself is judged as a whole.
    if matches!(tag, Tr | Td | Th | Tbody | Thead | Tfoot) {
        return false;
    }
    let class = dom.attr(id, "class").unwrap_or("");
    let ident = dom.attr(id, "id").unwrap_or("");
    if class.is_empty() && ident.is_empty() {
        return false;
    }
    names_boilerplate(class) || names_boilerplate(ident)
}

/// Words that, as a whole word of a class or id (`share-bar`, `relatedArticles`,
/// `comments`), name something that is not the article's text.
fn names_boilerplate(s: &str) -> bool {
    const EXACT: &[&str] = &[
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menubar",
        "breadcrumb",
        "breadcrumbs",
        "sidebar",
        "footer",
        "masthead",
        "comment",
        "comments",
        "disqus",
        "share",
        "sharing",
        "shares",
        "social",
        "socials",
        "related",
        "recommended",
        "recommendations",
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "promo",
        "promos",
        "promotion",
        "ad",
        "ads",
        "advert",
        "adverts",
        "advertisement",
        "advertising",
        "adslot",
        "adunit",
        "sponsored",
        "sponsor",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "popup",
        "modal",
        "widget",
        "widgets",
        "tags",
        "taglist",
        "byline",
        "bio",
        "outbrain",
        "taboola",
        "trending",
        "popular",
        "mostread",
        "readmore",
        "pagination",
        "pager",
        "toolbar",
        "banner",
        "login",
        "skip",
        "jump",
        "toc",
        "caption",
        "credit",
        "credits",
        "disclaimer",
        "copyright",
        "author",
        "authors",
        "timestamp",
        "dateline",
        "tooltip",
        "overlay",
        "lightbox",
        "carousel",
        "slideshow",
        "gallery",
        "video",
        "player",
        "icons",
        "icon",
        "follow",
        "feedback",
        "survey",
    ];
    const PREFIX: &[&str] = &[
        "comment",
        "share",
        "social",
        "related",
        "newsletter",
        "subscri",
        "promo",
        "advert",
        "sponsor",
        "cookie",
        "sidebar",
        "breadcrumb",
        "outbrain",
        "taboola",
        "disqus",
        "recommend",
        "navbar",
        "footer",
        "popup",
    ];
    // Words: split at non-alphanumerics and at lower→upper case changes.
    let mut word = String::new();
    let mut prev_lower = false;
    let check = |w: &str| -> bool {
        if w.is_empty() {
            return false;
        }
        if w.starts_with("commentary") {
            return false;
        }
        EXACT.contains(&w) || PREFIX.iter().any(|p| w.starts_with(p))
    };
    for c in s.chars() {
        let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower);
        if boundary {
            if check(&word) {
                return true;
            }
            word.clear();
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase();
    }
    check(&word) || {
        let l = s.to_ascii_lowercase();
        l.contains("sr-only") || l.contains("visually-hidden") || l.contains("screen-reader")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_of_data_stays_whatever_its_rows_are_called() {
        let para = "The final standings of the season, after thirty-six races and a close finish between the first four drivers.";
        let html = format!(
            "<html><body><div id=main><h1>Standings</h1><p>{para}</p><table class=tablehead>\
             <tr class=colhead><td>Pos.</td><td>Driver</td><td>Points</td></tr>\
             <tr class='oddrow player-2020-580'><td>1</td><td>Kyle Busch</td><td>5040</td></tr>\
             <tr class='evenrow player-2020-416'><td>2</td><td>Martin Truex Jr.</td><td>5035</td></tr>\
             </table><p>{para}</p></div><div class=player><p>Watch the video</p></div></body></html>"
        );
        let dom = Dom::parse(&html);
        let m = main_text(&dom, Some("Standings"));
        assert_eq!(
            m.text,
            format!("{para}\n\nPos. Driver Points\n\n1 Kyle Busch 5040\n\n2 Martin Truex Jr. 5035\n\n{para}")
        );
    }

    #[test]
    fn picks_the_article_over_menus_and_links() {
        let para = "The committee met on Tuesday and agreed, after a long and at times bitter debate, to publish all of its findings next month.";
        let html = format!(
            "<html><body><div class=menu><a href=/>Home</a> <a href=/a>World</a> <a href=/b>Politics</a></div>\
             <div id=main><h1>Headline</h1><p>{para}</p><p>{para}</p>\
             <div class=share-tools>Share this on Facebook</div><p>{para}</p>\
             <ul class=list><li><a href=/x>A related story about something else entirely</a></li>\
             <li><a href=/y>Another related story about something else</a></li></ul></div>\
             <div id=comments><p>{para}</p></div>\
             <footer><p>Copyright 2019 The Paper. All rights reserved.</p></footer></body></html>"
        );
        let dom = Dom::parse(&html);
        let m = main_text(&dom, Some("Headline"));
        assert_eq!(m.text, format!("{para}\n\n{para}\n\n{para}"));
        assert_eq!(m.paragraphs, 3);
    }

    #[test]
    fn class_words() {
        assert!(names_boilerplate("article-share-bar"));
        assert!(names_boilerplate("relatedArticles"));
        assert!(names_boilerplate("ad"));
        assert!(!names_boilerplate("article-body"));
        assert!(!names_boilerplate("heads-up loaded"));
        assert!(!names_boilerplate("commentary-body"));
    }
}
