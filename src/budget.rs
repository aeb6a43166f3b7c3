//! A byte budget for the articles in flight during an ingest, so that memory is
//! bounded by configuration rather than by the size of the articles.
//!
//! The reader takes a [`Permit`] for each article's bytes before handing it on and
//! waits while the budget is spent. The permit travels with the article through
//! enrichment and into the index writer inside an [`InFlightDoc`]; tantivy drops the
//! document once it has indexed it, and that returns the bytes. (Releasing when the
//! document is handed to the writer would not do: tantivy queues up to 10,000
//! documents of any size before indexing them.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tantivy::{Document, TantivyDocument};

/// Bytes in flight, shared by the threads of one ingest.
#[derive(Debug)]
pub struct ByteBudget {
    capacity: u64,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    used: u64,
    closed: bool,
}

impl ByteBudget {
    pub fn new(capacity: u64) -> Arc<ByteBudget> {
        Arc::new(ByteBudget {
            capacity: capacity.max(1),
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        })
    }

    /// Waits until `bytes` fit, then takes them. An article larger than the whole
    /// budget waits until nothing else is in flight. Returns `None` without waiting
    /// further once `stop` is set or the budget is closed.
    pub fn acquire(self: &Arc<Self>, bytes: u64, stop: &AtomicBool) -> Option<Permit> {
        let bytes = bytes.min(self.capacity);
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if st.closed || stop.load(Ordering::Relaxed) {
                return None;
            }
            if st.used + bytes <= self.capacity {
                st.used += bytes;
                return Some(Permit {
                    budget: Arc::clone(self),
                    bytes,
                });
            }
            // The stop flag is set from a signal handler thread, which cannot notify
            // the condition variable: look at it every 50 ms.
            st = self
                .freed
                .wait_timeout(st, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Wakes every waiter and refuses further acquires (the consumers are gone).
    pub fn close(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
        self.freed.notify_all();
    }

    /// Bytes taken and not yet returned.
    pub fn used(&self) -> u64 {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).used
    }

    fn release(&self, bytes: u64) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.used -= bytes;
        drop(st);
        self.freed.notify_all();
    }
}

/// Bytes taken from a [`ByteBudget`], returned when the permit is dropped.
#[derive(Debug)]
pub struct Permit {
    budget: Arc<ByteBudget>,
    bytes: u64,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.budget.release(self.bytes);
    }
}

/// Closes a budget when dropped (however the owner's scope ends), so a reader
/// waiting on it never outlives the consumers.
pub struct CloseOnDrop(pub Arc<ByteBudget>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// A document for the index writer, holding the permit for its article's bytes
/// until tantivy has indexed it and drops it.
pub struct InFlightDoc {
    pub doc: TantivyDocument,
    _permit: Option<Permit>,
}

impl InFlightDoc {
    pub fn new(doc: TantivyDocument, permit: Option<Permit>) -> InFlightDoc {
        InFlightDoc {
            doc,
            _permit: permit,
        }
    }
}

impl From<TantivyDocument> for InFlightDoc {
    fn from(doc: TantivyDocument) -> InFlightDoc {
        InFlightDoc::new(doc, None)
    }
}

impl Document for InFlightDoc {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.doc.iter_fields_and_values()
    }
}

/// What an article costs in flight: its text, about twice over (the article, then
/// its document), plus a fixed share for the structures around it.
pub fn article_cost(a: &crate::article::Article) -> u64 {
    let text = a.title.len()
        + a.body.len()
        + a.subtitle.as_ref().map_or(0, String::len)
        + a.url.as_ref().map_or(0, String::len)
        + a.authors.iter().map(String::len).sum::<usize>()
        + a.id.len()
        + a.path.len();
    2 * text as u64 + 2048
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acquire_waits_for_release_and_gives_up_on_stop() {
        let b = ByteBudget::new(100);
        let stop = AtomicBool::new(false);
        let p1 = b.acquire(60, &stop).unwrap();
        assert_eq!(b.used(), 60);
        // Larger than the whole budget: clamped, so it fits once alone.
        let b2 = Arc::clone(&b);
        let waiter = std::thread::spawn(move || {
            let stop = AtomicBool::new(false);
            b2.acquire(1000, &stop).map(|p| p.bytes)
        });
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(b.used(), 60, "the second acquire must wait");
        drop(p1);
        assert_eq!(waiter.join().unwrap(), Some(100));
        assert_eq!(b.used(), 0);
        let _p = b.acquire(100, &stop).unwrap();
        stop.store(true, Ordering::Relaxed);
        assert!(b.acquire(1, &stop).is_none());
        let fresh = AtomicBool::new(false);
        b.close();
        assert!(b.acquire(1, &fresh).is_none());
    }

    #[test]
    fn a_document_returns_its_bytes_when_dropped() {
        let b = ByteBudget::new(100);
        let stop = AtomicBool::new(false);
        let doc = InFlightDoc::new(TantivyDocument::new(), b.acquire(10, &stop));
        assert_eq!(b.used(), 10);
        assert_eq!(doc.iter_fields_and_values().count(), 0);
        drop(doc);
        assert_eq!(b.used(), 0);
    }
}
