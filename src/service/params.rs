//! Request parameters as a user gives them: a URL query (`?q=xi&country=taiwan&country=us`),
//! a JSON object (`{"q": "xi", "country": ["taiwan", "us"], "limit": 5}`) or a list of
//! flag/value pairs. Every request type is read from [`Params`] by one parser, so a
//! value means the same and fails with the same message wherever it comes from.

use crate::error::{Error, Result};
use serde::Deserialize;

/// Parameters in the order given; a name may repeat (a repeatable filter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

/// The longest value of any one parameter, in bytes: a query is a few words, and a
/// filter value a name; anything longer is a mistake or an attack.
pub const MAX_VALUE_BYTES: usize = 4096;
/// The most parameters one request may carry.
pub const MAX_PARAMS: usize = 256;

impl Params {
    /// A URL query string (without the `?`). Percent-escapes that do not decode to
    /// UTF-8 become U+FFFD, as a browser shows them; `+` is a space.
    pub fn from_query(query: &str) -> Params {
        Params {
            pairs: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (normalise(&k), v.into_owned()))
                .collect(),
        }
    }

    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Params {
        Params {
            pairs: pairs
                .into_iter()
                .map(|(k, v)| (normalise(k.as_ref()), v.into()))
                .collect(),
        }
    }

    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.pairs.push((normalise(name), value.into()));
    }

    pub fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Refuses requests too large to be meant.
    pub fn check_size(&self) -> Result<()> {
        if self.pairs.len() > MAX_PARAMS {
            return Err(Error::invalid(
                "query",
                format!("{} parameters; at most {MAX_PARAMS}", self.pairs.len()),
            ));
        }
        for (k, v) in &self.pairs {
            if v.len() > MAX_VALUE_BYTES {
                return Err(Error::invalid(
                    k.clone(),
                    format!("{} bytes long; at most {MAX_VALUE_BYTES}", v.len()),
                ));
            }
        }
        Ok(())
    }

    /// Every value of `name`, in order, removed from the list.
    pub fn take_all(&mut self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.pairs.retain(|(k, v)| {
            if k == name {
                out.push(v.clone());
                false
            } else {
                true
            }
        });
        out
    }

    /// The one value of `name`, if given; given twice is an error (which one was meant?).
    pub fn take_one(&mut self, name: &str) -> Result<Option<String>> {
        let mut all = self.take_all(name);
        match all.len() {
            0 | 1 => Ok(all.pop()),
            n => Err(Error::invalid(
                name,
                format!("given {n} times; give it once"),
            )),
        }
    }

    pub fn take_usize(&mut self, name: &str, default: usize) -> Result<usize> {
        match self.take_one(name)? {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| {
                Error::invalid(name, format!("'{}' is not a whole number", shorten(&v)))
            }),
        }
    }

    /// A switch: `true`/`false`, `1`/`0`, `yes`/`no`, or present with no value (`?facets`).
    pub fn take_bool(&mut self, name: &str, default: bool) -> Result<bool> {
        match self.take_one(name)? {
            None => Ok(default),
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "" | "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" => Ok(false),
                _ => Err(Error::invalid(
                    name,
                    format!("'{}' is not true or false", shorten(&v)),
                )),
            },
        }
    }

    /// One of `choices` (any case), if given.
    pub fn take_choice(
        &mut self,
        name: &str,
        choices: &[&'static str],
    ) -> Result<Option<&'static str>> {
        match self.take_one(name)? {
            None => Ok(None),
            Some(v) => {
                let t = v.trim();
                choices
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(t))
                    .copied()
                    .map(Some)
                    .ok_or_else(|| {
                        Error::invalid(
                            name,
                            format!("'{}' is not one of {}", shorten(&v), choices.join(", ")),
                        )
                    })
            }
        }
    }

    /// Every parameter has been read: anything left is unknown (a typo would otherwise
    /// be ignored silently, and a filter the user meant would not apply).
    pub fn finish(self, known: &[&str]) -> Result<()> {
        match self.pairs.first() {
            None => Ok(()),
            Some((k, _)) => Err(Error::invalid(
                shorten(k),
                format!("unknown parameter; known: {}", known.join(", ")),
            )),
        }
    }
}

/// `snippet-chars` and `snippet_chars` are the same parameter.
fn normalise(name: &str) -> String {
    name.trim().replace('-', "_")
}

/// A value as quoted in an error message: at most 60 characters.
pub(crate) fn shorten(s: &str) -> String {
    if s.chars().count() <= 60 {
        return s.to_string();
    }
    let cut: String = s.chars().take(60).collect();
    format!("{cut}…")
}

/// A JSON (or any self-describing) object: strings, numbers and switches as values,
/// arrays for repeated parameters.
impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Params, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Scalar {
            S(String),
            B(bool),
            N(serde_json::Number),
            Null(()),
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Val {
            One(Scalar),
            Many(Vec<Scalar>),
        }
        fn text(s: Scalar) -> Option<String> {
            match s {
                Scalar::S(s) => Some(s),
                Scalar::B(b) => Some(b.to_string()),
                Scalar::N(n) => Some(n.to_string()),
                Scalar::Null(()) => None,
            }
        }
        let map: std::collections::BTreeMap<String, Val> = Deserialize::deserialize(d)?;
        let mut p = Params::default();
        for (k, v) in map {
            match v {
                Val::One(s) => {
                    if let Some(t) = text(s) {
                        p.push(&k, t);
                    }
                }
                Val::Many(list) => {
                    for s in list {
                        if let Some(t) = text(s) {
                            p.push(&k, t);
                        }
                    }
                }
            }
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_repeat_decode_and_normalise() {
        let mut p =
            Params::from_query("q=post-war+order&country=TW&country=us&snippet-chars=80&x=%FF");
        assert_eq!(p.take_one("q").unwrap().as_deref(), Some("post-war order"));
        assert_eq!(p.take_all("country"), vec!["TW", "us"]);
        assert_eq!(p.take_usize("snippet_chars", 220).unwrap(), 80);
        assert_eq!(p.take_one("x").unwrap().as_deref(), Some("\u{FFFD}"));
        assert!(p.finish(&[]).is_ok());
    }

    #[test]
    fn mistakes_are_invalid_parameters() {
        let mut p = Params::from_query("limit=abc&q=a&q=b&facets=maybe&zz=1");
        let e = p.take_usize("limit", 10).unwrap_err();
        assert_eq!(e.to_string(), "limit: 'abc' is not a whole number");
        assert!(p
            .take_one("q")
            .unwrap_err()
            .to_string()
            .contains("given 2 times"));
        assert!(p.take_bool("facets", false).is_err());
        let e = p.finish(&["q"]).unwrap_err();
        assert_eq!(e.to_string(), "zz: unknown parameter; known: q");
        assert_eq!(e.class(), crate::error::ErrorClass::Invalid);
        assert!(Params::from_query("limit=1000000000000000000000")
            .take_usize("limit", 1)
            .is_err());
    }

    #[test]
    fn json_objects_give_the_same_params() {
        let p: Params = serde_json::from_str(
            r#"{"q":"xi","country":["taiwan","us"],"limit":5,"facets":true,"to":null}"#,
        )
        .unwrap();
        let mut q = Params::from_query("country=taiwan&country=us&facets=true&limit=5&q=xi");
        let mut p2 = p.clone();
        for name in ["country", "facets", "limit", "q"] {
            assert_eq!(p2.take_all(name), q.take_all(name), "{name}");
        }
        assert!(p2.is_empty());
    }
}
