//! A small, fast, forgiving HTML parser: a decoded page → a tree of elements and
//! text, stored in flat arrays.
//!
//! It follows the parts of the HTML5 tree-building rules that decide which element a
//! piece of text belongs to — implied end tags (`<p>` closed by a block, `<li>` by the
//! next `<li>`, table cells by the next cell or row), void elements, raw-text elements
//! (`script`, `style`, `title`…), end tags that match nothing being ignored — and
//! leaves out what does not change the text (foster parenting, the adoption agency's
//! re-opening of formatting elements, templates). Nodes are stored in document order,
//! so an element's descendants are the nodes between it and its `end`.
//!
//! Hostile input is bounded: nesting deeper than [`MAX_DEPTH`] is flattened into the
//! deepest element, attribute values are cut at [`MAX_ATTR_VALUE`] bytes, and every
//! loop moves forward through the input, so time is linear in its length.

use super::entities::ENTITIES;

pub type NodeId = u32;
/// No node (a missing parent, child or sibling).
pub const NONE: NodeId = u32::MAX;
/// Elements nested deeper than this are added to the deepest one instead.
pub const MAX_DEPTH: usize = 256;
/// Longer attribute values are cut (they are never text a reader sees).
pub const MAX_ATTR_VALUE: usize = 64 * 1024;
/// An element keeps at most this many attributes.
const MAX_ATTRS: usize = 64;

macro_rules! tags {
    ($($name:ident = $s:literal),* $(,)?) => {
        /// An element's name; [`Tag::Other`] for names this crate has no rule for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Tag { Root, Text, Other, $($name),* }
        fn tag_of(name: &[u8]) -> Tag {
            match name { $($s => Tag::$name,)* _ => Tag::Other }
        }
    };
}

tags! {
    A = b"a", Abbr = b"abbr", Address = b"address", Area = b"area", Article = b"article",
    Aside = b"aside", Audio = b"audio", B = b"b", Base = b"base", Blockquote = b"blockquote",
    Body = b"body", Br = b"br", Button = b"button", Canvas = b"canvas", Caption = b"caption",
    Center = b"center", Cite = b"cite", Code = b"code", Col = b"col", Colgroup = b"colgroup",
    Dd = b"dd", Del = b"del", Details = b"details", Dialog = b"dialog", Dir = b"dir",
    Div = b"div", Dl = b"dl", Dt = b"dt", Em = b"em", Embed = b"embed", Fieldset = b"fieldset",
    Figcaption = b"figcaption", Figure = b"figure", Font = b"font", Footer = b"footer",
    Form = b"form", Frame = b"frame", Frameset = b"frameset", H1 = b"h1", H2 = b"h2",
    H3 = b"h3", H4 = b"h4", H5 = b"h5", H6 = b"h6", Head = b"head", Header = b"header",
    Hgroup = b"hgroup", Hr = b"hr", Html = b"html", I = b"i", Iframe = b"iframe", Img = b"img",
    Input = b"input", Ins = b"ins", Kbd = b"kbd", Keygen = b"keygen", Label = b"label",
    Legend = b"legend", Li = b"li", Link = b"link", Main = b"main", Mark = b"mark",
    Math = b"math", Menu = b"menu", Meta = b"meta", Nav = b"nav", Noembed = b"noembed",
    Noframes = b"noframes", Noscript = b"noscript", Object = b"object", Ol = b"ol",
    Optgroup = b"optgroup", Option = b"option", P = b"p", Param = b"param",
    Picture = b"picture", Plaintext = b"plaintext", Pre = b"pre", Q = b"q", S = b"s",
    Samp = b"samp", Script = b"script", Section = b"section", Select = b"select",
    Small = b"small", Source = b"source", Span = b"span", Strong = b"strong",
    Style = b"style", Sub = b"sub", Summary = b"summary", Sup = b"sup", Svg = b"svg",
    Table = b"table", Tbody = b"tbody", Td = b"td", Template = b"template",
    Textarea = b"textarea", Tfoot = b"tfoot", Th = b"th", Thead = b"thead", Time = b"time",
    Title = b"title", Tr = b"tr", Track = b"track", U = b"u", Ul = b"ul", Var = b"var",
    Video = b"video", Wbr = b"wbr", Xmp = b"xmp",
}

impl Tag {
    /// Elements that never have content.
    pub fn is_void(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Area | Base
                | Br
                | Col
                | Embed
                | Frame
                | Hr
                | Img
                | Input
                | Keygen
                | Link
                | Meta
                | Param
                | Source
                | Track
                | Wbr
        )
    }

    /// Elements that start a new line of text: their text is a paragraph of its own.
    pub fn is_block(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Root | Address
                | Article
                | Aside
                | Blockquote
                | Body
                | Caption
                | Center
                | Dd
                | Details
                | Dialog
                | Dir
                | Div
                | Dl
                | Dt
                | Fieldset
                | Figcaption
                | Figure
                | Footer
                | Form
                | H1
                | H2
                | H3
                | H4
                | H5
                | H6
                | Header
                | Hgroup
                | Hr
                | Html
                | Legend
                | Li
                | Main
                | Menu
                | Nav
                | Ol
                | P
                | Pre
                | Section
                | Summary
                | Table
                | Tbody
                | Td
                | Tfoot
                | Th
                | Thead
                | Tr
                | Ul
                | Br
                | Option
                | Select
                | Textarea
                | Frameset
        )
    }

    pub fn is_heading(self) -> bool {
        matches!(
            self,
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6
        )
    }

    /// Start tags that close an open `<p>`.
    fn closes_p(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Address
                | Article
                | Aside
                | Blockquote
                | Center
                | Details
                | Dialog
                | Dir
                | Div
                | Dl
                | Fieldset
                | Figcaption
                | Figure
                | Footer
                | Form
                | H1
                | H2
                | H3
                | H4
                | H5
                | H6
                | Header
                | Hgroup
                | Hr
                | Main
                | Menu
                | Nav
                | Ol
                | P
                | Pre
                | Section
                | Summary
                | Table
                | Ul
                | Li
                | Dd
                | Dt
                | Plaintext
                | Xmp
        )
    }

    /// Elements whose content is text up to their end tag, not markup.
    fn raw_text(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Script | Style | Xmp | Iframe | Noembed | Noframes | Noscript | Title | Textarea
        )
    }

    /// The limits of "scope": an end tag does not close an element outside them.
    fn is_scope_boundary(self) -> bool {
        use Tag::*;
        matches!(
            self,
            Root | Html | Table | Td | Th | Caption | Template | Object | Svg | Math
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Node {
    pub tag: Tag,
    pub parent: NodeId,
    pub first_child: NodeId,
    pub last_child: NodeId,
    pub next: NodeId,
    /// One past the last descendant: the subtree is `id..end`.
    pub end: NodeId,
    /// Element: a range of [`Dom::attrs`]. Text: a byte range of the text buffer.
    start_a: u32,
    end_a: u32,
}

#[derive(Debug, Clone, Copy)]
struct Attr {
    name: (u32, u32),
    value: (u32, u32),
}

/// A parsed page.
pub struct Dom {
    pub nodes: Vec<Node>,
    attrs: Vec<Attr>,
    buf: String,
}

impl Dom {
    pub fn parse(html: &str) -> Dom {
        Parser::new(html).run()
    }

    pub fn root(&self) -> NodeId {
        0
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn tag(&self, id: NodeId) -> Tag {
        self.nodes[id as usize].tag
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// A text node's text (empty for an element).
    pub fn text(&self, id: NodeId) -> &str {
        let n = &self.nodes[id as usize];
        if n.tag != Tag::Text {
            return "";
        }
        &self.buf[n.start_a as usize..n.end_a as usize]
    }

    /// An attribute's value, by its lower-case name.
    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        let n = &self.nodes[id as usize];
        if n.tag == Tag::Text {
            return None;
        }
        self.attrs[n.start_a as usize..n.end_a as usize]
            .iter()
            .find(|a| &self.buf[a.name.0 as usize..a.name.1 as usize] == name)
            .map(|a| &self.buf[a.value.0 as usize..a.value.1 as usize])
    }

    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children {
            dom: self,
            next: self.nodes[id as usize].first_child,
        }
    }

    /// The node and everything inside it, in document order.
    pub fn subtree(&self, id: NodeId) -> std::ops::Range<NodeId> {
        id..self.nodes[id as usize].end
    }

    /// True when `inner` is `outer` or inside it.
    pub fn contains(&self, outer: NodeId, inner: NodeId) -> bool {
        inner >= outer && inner < self.nodes[outer as usize].end
    }

    /// Every element with this tag, in document order.
    pub fn elements(&self, tag: Tag) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len() as NodeId).filter(move |&i| self.nodes[i as usize].tag == tag)
    }

    /// The text inside a node, white space collapsed to single spaces, without the
    /// content of scripts and styles.
    pub fn text_content(&self, id: NodeId) -> String {
        let mut out = String::new();
        let mut i = id;
        let end = self.nodes[id as usize].end;
        while i < end {
            let n = &self.nodes[i as usize];
            match n.tag {
                Tag::Text => push_collapsed(&mut out, self.text(i)),
                Tag::Script | Tag::Style | Tag::Template if i != id => {
                    i = n.end;
                    continue;
                }
                t if t.is_block() && !out.ends_with(' ') && !out.is_empty() => out.push(' '),
                _ => {}
            }
            i += 1;
        }
        out.trim().to_string()
    }

    /// The raw text of an element whose content is not markup (a script's code).
    pub fn raw_text(&self, id: NodeId) -> String {
        self.children(id).map(|c| self.text(c)).collect()
    }
}

/// Appends `s` with runs of white space turned into one space.
pub fn push_collapsed(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

pub struct Children<'a> {
    dom: &'a Dom,
    next: NodeId,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.dom.nodes[id as usize].next;
        Some(id)
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    dom: Dom,
    /// Open elements, innermost last.
    stack: Vec<NodeId>,
    has_body: bool,
    has_html: bool,
    has_head: bool,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Parser<'a> {
        let root = Node {
            tag: Tag::Root,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            end: 1,
            start_a: 0,
            end_a: 0,
        };
        let mut nodes = Vec::with_capacity(src.len() / 40 + 16);
        nodes.push(root);
        Parser {
            src,
            pos: 0,
            dom: Dom {
                nodes,
                attrs: Vec::with_capacity(src.len() / 60 + 16),
                buf: String::with_capacity(src.len() / 2),
            },
            stack: vec![0],
            has_body: false,
            has_html: false,
            has_head: false,
        }
    }

    fn run(mut self) -> Dom {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            let lt = match memchr::memchr(b'<', &bytes[self.pos..]) {
                Some(i) => self.pos + i,
                None => bytes.len(),
            };
            if lt > self.pos {
                let (a, b) = (self.pos, lt);
                self.text(a, b, true);
            }
            self.pos = lt;
            if lt >= bytes.len() {
                break;
            }
            self.markup();
        }
        while self.stack.len() > 1 {
            self.pop();
        }
        let n = self.dom.nodes.len() as NodeId;
        self.dom.nodes[0].end = n;
        self.dom
    }

    fn current(&self) -> NodeId {
        *self.stack.last().expect("the root is never popped")
    }

    fn append(&mut self, mut node: Node) -> NodeId {
        let id = self.dom.nodes.len() as NodeId;
        let parent = self.current();
        node.parent = parent;
        let p = &mut self.dom.nodes[parent as usize];
        let last = p.last_child;
        if last == NONE {
            p.first_child = id;
        }
        p.last_child = id;
        if last != NONE {
            self.dom.nodes[last as usize].next = id;
        }
        self.dom.nodes.push(node);
        id
    }

    fn pop(&mut self) {
        if let Some(id) = self.stack.pop() {
            let end = self.dom.nodes.len() as NodeId;
            self.dom.nodes[id as usize].end = end;
        }
    }

    /// Text between `a` and `b`: entities decoded when `decode`.
    fn text(&mut self, a: usize, b: usize, decode: bool) {
        let s = &self.src[a..b];
        let start = self.dom.buf.len();
        if decode && s.contains('&') {
            decode_entities(s, &mut self.dom.buf);
        } else {
            self.dom.buf.push_str(s);
        }
        let end = self.dom.buf.len();
        if end == start {
            return;
        }
        // Text next to text (a comment between them) extends the same node.
        let cur = self.current();
        let last = self.dom.nodes[cur as usize].last_child;
        if last != NONE {
            let l = &mut self.dom.nodes[last as usize];
            if l.tag == Tag::Text && l.end_a as usize == start {
                l.end_a = end as u32;
                return;
            }
        }
        self.append(Node {
            tag: Tag::Text,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            end: self.dom.nodes.len() as NodeId + 1,
            start_a: start as u32,
            end_a: end as u32,
        });
    }

    /// At a `<`: a tag, a comment, a doctype, or a lone `<` that is text.
    fn markup(&mut self) {
        let bytes = self.src.as_bytes();
        let p = self.pos;
        let next = bytes.get(p + 1).copied().unwrap_or(0);
        if next == b'!' {
            if bytes[p..].starts_with(b"<!--") {
                let from = p + 4;
                self.pos = match memchr::memmem::find(&bytes[from..], b"-->") {
                    // `<!-->` and `<!--->` are empty comments.
                    Some(i) => from + i + 3,
                    None => bytes.len(),
                };
                if bytes[from..].starts_with(b">") {
                    self.pos = from + 1;
                } else if bytes[from..].starts_with(b"->") {
                    self.pos = from + 2;
                }
            } else if bytes[p..].starts_with(b"<![CDATA[") {
                let from = p + 9;
                let (end, skip) = match memchr::memmem::find(&bytes[from..], b"]]>") {
                    Some(i) => (from + i, 3),
                    None => (bytes.len(), 0),
                };
                self.text(from, end, false);
                self.pos = end + skip;
            } else {
                self.skip_to_gt(p + 2);
            }
        } else if next == b'?' {
            self.skip_to_gt(p + 2);
        } else if next == b'/' {
            if bytes.get(p + 2).is_some_and(|b| b.is_ascii_alphabetic()) {
                let (name_end, tag) = self.tag_name(p + 2);
                self.skip_to_gt(name_end);
                self.end_tag(tag);
            } else if bytes.get(p + 2) == Some(&b'>') {
                self.pos = p + 3;
            } else {
                self.skip_to_gt(p + 2);
            }
        } else if next.is_ascii_alphabetic() {
            self.start_tag();
        } else {
            self.text(p, p + 1, false);
            self.pos = p + 1;
        }
    }

    fn skip_to_gt(&mut self, from: usize) {
        let bytes = self.src.as_bytes();
        self.pos = match memchr::memchr(b'>', &bytes[from.min(bytes.len())..]) {
            Some(i) => from + i + 1,
            None => bytes.len(),
        };
    }

    /// The tag name starting at `from`: where it ends, and the tag.
    fn tag_name(&self, from: usize) -> (usize, Tag) {
        let bytes = self.src.as_bytes();
        let mut end = from;
        while end < bytes.len()
            && !matches!(
                bytes[end],
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'
            )
        {
            end += 1;
        }
        let name = &bytes[from..end];
        let mut lower = [0u8; 12];
        if name.len() > lower.len() {
            return (end, Tag::Other);
        }
        for (l, b) in lower.iter_mut().zip(name) {
            *l = b.to_ascii_lowercase();
        }
        (end, tag_of(&lower[..name.len()]))
    }

    fn start_tag(&mut self) {
        let bytes = self.src.as_bytes();
        let (mut i, tag) = self.tag_name(self.pos + 1);
        let attr_start = self.dom.attrs.len();
        let mut self_closing = false;
        // Attributes.
        loop {
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') {
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            match bytes[i] {
                b'>' => {
                    i += 1;
                    break;
                }
                b'/' => {
                    self_closing = bytes.get(i + 1) == Some(&b'>');
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let n0 = i;
            i += 1;
            while i < bytes.len()
                && !matches!(
                    bytes[i],
                    b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>' | b'='
                )
            {
                i += 1;
            }
            let n1 = i;
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') {
                i += 1;
            }
            let mut value = (0, 0);
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
                {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let v0 = i + 1;
                        let v1 = memchr::memchr(q, &bytes[v0..]).map_or(bytes.len(), |k| v0 + k);
                        value = (v0, v1);
                        i = (v1 + 1).min(bytes.len());
                    }
                    Some(_) => {
                        let v0 = i;
                        while i < bytes.len()
                            && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>')
                        {
                            i += 1;
                        }
                        value = (v0, i);
                    }
                    None => {}
                }
            }
            if self.dom.attrs.len() - attr_start < MAX_ATTRS {
                self.push_attr(attr_start, (n0, n1), value);
            }
        }
        self.pos = i;
        let attr_end = self.dom.attrs.len();
        self.open(tag, attr_start, attr_end, self_closing);
    }

    fn push_attr(&mut self, first: usize, name: (usize, usize), value: (usize, usize)) {
        let buf = &mut self.dom.buf;
        let n0 = buf.len();
        for c in self.src[name.0..name.1].chars() {
            buf.push(c.to_ascii_lowercase());
        }
        let n1 = buf.len();
        // The first of two attributes with one name wins.
        let dup = self.dom.attrs[first..]
            .iter()
            .any(|a| buf[a.name.0 as usize..a.name.1 as usize] == buf[n0..n1]);
        if dup {
            buf.truncate(n0);
            return;
        }
        let mut v1 = value.1;
        if v1 - value.0 > MAX_ATTR_VALUE {
            v1 = value.0 + MAX_ATTR_VALUE;
            while !self.src.is_char_boundary(v1) {
                v1 -= 1;
            }
        }
        let raw = &self.src[value.0..v1];
        if raw.contains('&') {
            decode_entities(raw, buf);
        } else {
            buf.push_str(raw);
        }
        let end = buf.len();
        self.dom.attrs.push(Attr {
            name: (n0 as u32, n1 as u32),
            value: (n1 as u32, end as u32),
        });
    }

    /// Closes the innermost open `tag`, looking no further out than `stop` allows.
    fn close_in_scope(&mut self, tag: Tag, stop: impl Fn(Tag) -> bool) -> bool {
        let found = self.stack.iter().rposition(|&id| {
            let t = self.dom.nodes[id as usize].tag;
            t == tag || stop(t)
        });
        match found {
            Some(k) if k > 0 && self.dom.nodes[self.stack[k] as usize].tag == tag => {
                while self.stack.len() > k {
                    self.pop();
                }
                true
            }
            _ => false,
        }
    }

    fn open(&mut self, tag: Tag, attr_start: usize, attr_end: usize, self_closing: bool) {
        use Tag::*;
        match tag {
            Html | Body | Head => {
                let seen = match tag {
                    Html => &mut self.has_html,
                    Body => &mut self.has_body,
                    _ => &mut self.has_head,
                };
                if *seen {
                    return;
                }
                *seen = true;
                if tag == Body {
                    // A `<head>` left open ends where the body starts.
                    self.close_in_scope(Head, |t| t == Root);
                }
            }
            _ => {}
        }
        if tag.closes_p() {
            self.close_in_scope(P, |t| t.is_scope_boundary() || t == Button);
        }
        match tag {
            Li => {
                self.close_in_scope(Li, |t| t.is_scope_boundary() || matches!(t, Ul | Ol));
            }
            Dd | Dt
                if !self.close_in_scope(Dd, |t| t.is_scope_boundary() || matches!(t, Dl | Dt)) =>
            {
                self.close_in_scope(Dt, |t| t.is_scope_boundary() || matches!(t, Dl | Dd));
            }
            Option | Optgroup => {
                let cur = self.dom.nodes[self.current() as usize].tag;
                if cur == Option {
                    self.pop();
                }
            }
            Tr => {
                self.close_in_scope(Tr, |t| matches!(t, Table | Tbody | Thead | Tfoot | Root));
            }
            Td | Th if !self.close_in_scope(Td, |t| matches!(t, Tr | Table | Root)) => {
                self.close_in_scope(Th, |t| matches!(t, Tr | Table | Root));
            }
            Tbody | Thead | Tfoot => {
                for t in [Tbody, Thead, Tfoot] {
                    self.close_in_scope(t, |x| matches!(x, Table | Root));
                }
            }
            H1 | H2 | H3 | H4 | H5 | H6
                if self.dom.nodes[self.current() as usize].tag.is_heading() =>
            {
                self.pop();
            }
            A => {
                self.close_in_scope(A, |t| t.is_scope_boundary());
            }
            _ => {}
        }
        let id = self.append(Node {
            tag,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next: NONE,
            end: self.dom.nodes.len() as NodeId + 1,
            start_a: attr_start as u32,
            end_a: attr_end as u32,
        });
        if tag.is_void() || (self_closing && tag == Other) {
            return;
        }
        if tag.raw_text() {
            self.raw_text(tag, id);
            return;
        }
        if tag == Plaintext {
            self.stack.push(id);
            let (a, b) = (self.pos, self.src.len());
            self.text(a, b, false);
            self.pos = b;
            return;
        }
        if self.stack.len() < MAX_DEPTH {
            self.stack.push(id);
        }
    }

    /// The content of a raw-text element, up to its end tag.
    fn raw_text(&mut self, tag: Tag, id: NodeId) {
        let bytes = self.src.as_bytes();
        let name: &[u8] = match tag {
            Tag::Script => b"script",
            Tag::Style => b"style",
            Tag::Xmp => b"xmp",
            Tag::Iframe => b"iframe",
            Tag::Noembed => b"noembed",
            Tag::Noframes => b"noframes",
            Tag::Noscript => b"noscript",
            Tag::Title => b"title",
            _ => b"textarea",
        };
        let mut i = self.pos;
        let end = loop {
            match memchr::memmem::find(&bytes[i..], b"</") {
                None => break bytes.len(),
                Some(k) => {
                    let at = i + k;
                    let after = at + 2 + name.len();
                    if bytes.len() >= after
                        && bytes[at + 2..after].eq_ignore_ascii_case(name)
                        && bytes.get(after).is_none_or(|b| {
                            matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>')
                        })
                    {
                        break at;
                    }
                    i = at + 2;
                }
            }
        };
        self.stack.push(id);
        let decode = matches!(tag, Tag::Title | Tag::Textarea);
        let keep = matches!(tag, Tag::Script | Tag::Title | Tag::Textarea | Tag::Style);
        if keep && end > self.pos {
            let from = self.pos;
            self.text(from, end, decode);
        }
        self.pop();
        if end < bytes.len() {
            self.skip_to_gt(end + 2);
        } else {
            self.pos = end;
        }
    }

    fn end_tag(&mut self, tag: Tag) {
        use Tag::*;
        match tag {
            // Content after `</body>` or `</html>` still belongs to the body.
            Body | Html => {}
            Br => {
                self.open(Br, 0, 0, false);
            }
            Other => {
                // An unknown element closes only when it is the current one: its name
                // is not kept, so a deeper match cannot be told apart.
                let cur = self.current();
                if self.dom.nodes[cur as usize].tag == Other && cur != 0 {
                    self.pop();
                }
            }
            H1 | H2 | H3 | H4 | H5 | H6 => {
                // `<h2>…</h3>` closes the open heading, whatever its level.
                let k = self.stack.iter().rposition(|&id| {
                    let t = self.dom.nodes[id as usize].tag;
                    t.is_heading() || t.is_scope_boundary()
                });
                if let Some(k) =
                    k.filter(|&k| k > 0 && self.dom.nodes[self.stack[k] as usize].tag.is_heading())
                {
                    while self.stack.len() > k {
                        self.pop();
                    }
                }
            }
            Table | Tbody | Thead | Tfoot | Tr => {
                // Table structure closes the cells inside it.
                self.close_in_scope(tag, |x| {
                    matches!(x, Root | Html | Template) || (x == Table && tag != Table)
                });
            }
            t => {
                let boundary = |x: Tag| x.is_scope_boundary() && x != t;
                self.close_in_scope(t, boundary);
            }
        }
    }
}

/// Appends `s` to `out` with character references decoded.
pub fn decode_entities(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'&', &bytes[i..]) {
        let amp = i + k;
        out.push_str(&s[last..amp]);
        let (used, ok) = decode_one(&s[amp + 1..], out);
        if ok {
            i = amp + 1 + used;
        } else {
            out.push('&');
            i = amp + 1;
        }
        last = i;
    }
    out.push_str(&s[last..]);
}

/// Decodes the reference after an `&`: bytes used, and whether one was found.
fn decode_one(s: &str, out: &mut String) -> (usize, bool) {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        let (hex, start) = match b.get(1) {
            Some(b'x' | b'X') => (true, 2),
            _ => (false, 1),
        };
        let mut j = start;
        let mut v: u32 = 0;
        while j < b.len() && j < start + 8 {
            let d = match (hex, b[j]) {
                (_, c @ b'0'..=b'9') => (c - b'0') as u32,
                (true, c @ b'a'..=b'f') => (c - b'a' + 10) as u32,
                (true, c @ b'A'..=b'F') => (c - b'A' + 10) as u32,
                _ => break,
            };
            v = v * if hex { 16 } else { 10 } + d;
            j += 1;
        }
        if j == start {
            return (0, false);
        }
        if b.get(j) == Some(&b';') {
            j += 1;
        }
        out.push(numeric_char(v));
        return (j, true);
    }
    let mut j = 0;
    while j < b.len() && j < 32 && b[j].is_ascii_alphanumeric() {
        j += 1;
    }
    if j == 0 {
        return (0, false);
    }
    if b.get(j) == Some(&b';') {
        if let Ok(k) = ENTITIES.binary_search_by(|(n, _)| n.as_bytes().cmp(&b[..=j])) {
            out.push_str(ENTITIES[k].1);
            return (j + 1, true);
        }
    }
    // A legacy name without `;` (`&amp`, `&nbsp`, `&copy`), the longest that fits.
    for len in (2..=j.min(6)).rev() {
        if let Ok(k) = ENTITIES.binary_search_by(|(n, _)| n.as_bytes().cmp(&b[..len])) {
            out.push_str(ENTITIES[k].1);
            return (len, true);
        }
    }
    (0, false)
}

/// A numeric reference's character, with the Windows-1252 repairs browsers make
/// (`&#146;` is a right single quote) and U+FFFD for what is not a character.
fn numeric_char(v: u32) -> char {
    match v {
        0 => '\u{FFFD}',
        0x80..=0x9F => crate::ingest::windows_1252_char(v as u8),
        _ => char::from_u32(v).unwrap_or('\u{FFFD}'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(dom: &Dom, tag: Tag) -> Vec<String> {
        dom.elements(tag).map(|e| dom.text_content(e)).collect()
    }

    #[test]
    fn implied_end_tags() {
        let d = Dom::parse("<body><p>one<p>two<div>three</div><ul><li>a<li>b</ul>");
        assert_eq!(texts(&d, Tag::P), ["one", "two"]);
        assert_eq!(texts(&d, Tag::Li), ["a", "b"]);
        let div = d.elements(Tag::Div).next().unwrap();
        assert_eq!(d.tag(d.node(div).parent), Tag::Body);
    }

    #[test]
    fn tables_and_stray_end_tags() {
        let d = Dom::parse("<div><table><tr><td>a<td>b</div><tr><td>c</table>d</div>");
        assert_eq!(texts(&d, Tag::Td), ["a", "b", "c"]);
        let d = Dom::parse("<p>x</span></p>y");
        assert_eq!(texts(&d, Tag::P), ["x"]);
    }

    #[test]
    fn entities_attributes_and_raw_text() {
        let d = Dom::parse(
            "<meta property=og:title content='A &amp; B'><script>if (a<b) x='</p>'</script>\
             <p title=\"x&quot;y\">caf&eacute; &#8217;&#x2014;&#146; &amp &nosuch; &</p>",
        );
        let m = d.elements(Tag::Meta).next().unwrap();
        assert_eq!(d.attr(m, "content"), Some("A & B"));
        assert_eq!(d.attr(m, "property"), Some("og:title"));
        let s = d.elements(Tag::Script).next().unwrap();
        assert_eq!(d.raw_text(s), "if (a<b) x='</p>'");
        let p = d.elements(Tag::P).next().unwrap();
        assert_eq!(d.attr(p, "title"), Some("x\"y"));
        assert_eq!(
            d.text_content(p),
            "café \u{2019}\u{2014}\u{2019} & &nosuch; &"
        );
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = "<div>".repeat(100_000) + "x" + &"</div>".repeat(100_000);
        let d = Dom::parse(&deep);
        assert!(d.len() > 100_000);
        let huge = format!(
            "<p class=\"{}\">y</p><a href='unclosed>z",
            "a".repeat(1 << 20)
        );
        let d = Dom::parse(&huge);
        assert_eq!(texts(&d, Tag::P), ["y"]);
        for s in [
            "<",
            "</",
            "<!--",
            "<a",
            "<a b='",
            "&#",
            "&#x110000;",
            "<![CDATA[",
            "<script>",
        ] {
            let _ = Dom::parse(s);
        }
    }
}
