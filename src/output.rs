//! Terminal output: colour and bold only on a terminal (and never with NO_COLOR),
//! plain markers otherwise, so piped output stays readable and greppable.

use crate::cli::Color;
use std::io::IsTerminal;

pub struct Output {
    pub color: bool,
    pub stderr_terminal: bool,
}

impl Output {
    pub fn new(c: Color) -> Output {
        let color = match c {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Output {
            color,
            stderr_terminal: std::io::stderr().is_terminal(),
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    /// Labels on stderr are coloured by stderr's own terminal, not stdout's.
    fn paint_err(&self, code: &str, s: &str) -> String {
        if self.stderr_terminal && std::env::var_os("NO_COLOR").is_none() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn red(&self, s: &str) -> String {
        self.paint_err("31", s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.paint_err("33", s)
    }
    pub fn cyan(&self, s: &str) -> String {
        self.paint("36", s)
    }

    /// `text` with the byte ranges in `marks` shown bold (terminal) or between `**`.
    pub fn highlight(&self, text: &str, marks: &[[usize; 2]]) -> String {
        let (open, close) = if self.color {
            ("\x1b[1;33m", "\x1b[0m")
        } else {
            ("**", "**")
        };
        let mut out = String::with_capacity(text.len() + marks.len() * 8);
        let mut at = 0;
        for &[s, e] in marks {
            if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
                continue;
            }
            out.push_str(&text[at..s]);
            out.push_str(open);
            out.push_str(&text[s..e]);
            out.push_str(close);
            at = e;
        }
        out.push_str(&text[at..]);
        out
    }
}
