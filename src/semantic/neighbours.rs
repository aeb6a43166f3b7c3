//! Every article's vector in one file beside the index's segments, for finding the
//! articles nearest a query in meaning among all of them: those that share none of
//! the query's words, or too few to be matches (`spring arriving early in america`:
//! "record February warmth"), and that no ranking by words reaches.
//!
//! The file is written at the end of an ingest of an index with a model
//! ([`refresh`]), from the vectors stored in the index, and replaced by a rename:
//! a search reading the old one keeps it whole. Each vector names its segment and
//! document, so an article deleted since, or in a segment merged away since (an
//! ingest stopped before the file was written anew), is skipped: such an entry is
//! never a wrong article. Articles added since are not in it until the next ingest.
//!
//! Up to [`FLAT_MAX`] vectors are compared one by one. Beyond that they are grouped
//! by k-means around √n centres, and a search compares the query with the centres
//! and then the vectors of the [`probes`] nearest groups only (an inverted file, as
//! FAISS's IVF-Flat): at a million articles about 1.6% of them.
//!
//! An ingest that adds a little to a grouped file keeps its centres: the vectors of
//! segments it holds already are copied, those of new segments (new articles, or
//! segments merged since) placed in the nearest group, as FAISS adds to a trained
//! index. The groups are made again by k-means when the vectors have grown to half as
//! many again as when they were last made, or shrunk to half ([`REGROUP`]).
//!
//! Layout (little-endian): the magic `NXNB0001`; dimensions (u32), groups (u32),
//! vectors (u64), segments (u32), the vectors when the groups were made (u32; 0 in a
//! file from before it was written: its vectors); each segment's id (32 hex bytes)
//! and deleted documents (u32) when written; the centres (groups × dimensions f32);
//! each group's first vector (groups + 1 u64); then the vectors, by group: segment
//! (u32, its place in the table), document (u32), 1 / its length (f32), its bytes
//! (one signed byte per dimension, as the index stores it).

use std::path::{Path, PathBuf};

use tantivy::{DocAddress, Searcher};

/// The file, in the index's data folder.
pub const FILE: &str = "newsidx-neighbours.bin";
/// Written first, then renamed to [`FILE`].
pub const FILE_TMP: &str = "newsidx-neighbours.bin.tmp";

const MAGIC: &[u8; 8] = b"NXNB0001";
const HEADER: usize = 32;
const SEGMENT: usize = 36;

/// Up to this many vectors, a search compares the query with each (at 3 µs a
/// thousand on one core here, 60 µs).
pub const FLAT_MAX: usize = 20_000;

/// How many groups a search reads, of `groups`: a sixty-fourth of them, at least 8.
pub fn probes(groups: usize) -> usize {
    (groups / 64).max(8).min(groups)
}

/// How many groups `n` vectors are sorted into: one up to [`FLAT_MAX`], else √n.
pub fn groups_for(n: usize) -> usize {
    if n <= FLAT_MAX {
        1
    } else {
        ((n as f64).sqrt() as usize).clamp(1, 1 << 16)
    }
}

/// The vectors of an index, as read from the file (mapped: a search reads the
/// centres and the groups it probes only).
pub struct Neighbours {
    data: memmap2::Mmap,
    dims: usize,
    groups: usize,
    count: usize,
    /// Each segment's id and deleted documents when the file was written.
    segments: Vec<(tantivy::index::SegmentId, u32)>,
    /// How many vectors there were when the groups were made by k-means.
    grouped: usize,
    centres: usize,
    offsets: usize,
    entries: usize,
}

impl std::fmt::Debug for Neighbours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Neighbours")
            .field("dims", &self.dims)
            .field("groups", &self.groups)
            .field("count", &self.count)
            .finish()
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or([0; 4]))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or([0; 8]))
}

fn f32_at(b: &[u8], at: usize) -> f32 {
    f32::from_le_bytes(b[at..at + 4].try_into().unwrap_or([0; 4]))
}

impl Neighbours {
    /// Opens the file in `data` (the index's data folder). `Ok(None)`: there is none.
    /// A file that is not whole is an error that names it.
    pub fn open(data: &Path) -> Result<Option<Neighbours>, String> {
        let path = data.join(FILE);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        // SAFETY: the file is only ever replaced by a rename, never written in place,
        // so the mapped bytes do not change under this map.
        let data =
            unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("{}: {e}", path.display()))?;
        Neighbours::from_map(data).map(Some).map_err(|why| {
            format!(
                "{}: {why}; the next `newsidx ingest` writes it anew",
                path.display()
            )
        })
    }

    fn from_map(data: memmap2::Mmap) -> Result<Neighbours, String> {
        let b = &data[..];
        if b.len() < HEADER || &b[..8] != MAGIC {
            return Err("not a file of article vectors".into());
        }
        let dims = u32_at(b, 8) as usize;
        let groups = u32_at(b, 12) as usize;
        let count = u64_at(b, 16) as usize;
        let nseg = u32_at(b, 24) as usize;
        let grouped = match u32_at(b, 28) as usize {
            0 => count,
            n => n,
        };
        let bad = || "cut short or damaged".to_string();
        if dims == 0 || groups == 0 {
            return Err(bad());
        }
        let segtable = HEADER;
        let centres = nseg
            .checked_mul(SEGMENT)
            .and_then(|s| s.checked_add(segtable))
            .ok_or_else(bad)?;
        let offsets = groups
            .checked_mul(dims)
            .and_then(|n| n.checked_mul(4))
            .and_then(|n| n.checked_add(centres))
            .ok_or_else(bad)?;
        let entries = (groups + 1)
            .checked_mul(8)
            .and_then(|n| n.checked_add(offsets))
            .ok_or_else(bad)?;
        let end = count
            .checked_mul(dims + 12)
            .and_then(|n| n.checked_add(entries))
            .ok_or_else(bad)?;
        if end != b.len() {
            return Err(bad());
        }
        let mut segments = Vec::with_capacity(nseg);
        for i in 0..nseg {
            let at = segtable + i * SEGMENT;
            let id = std::str::from_utf8(&b[at..at + 32])
                .ok()
                .and_then(|s| tantivy::index::SegmentId::from_uuid_string(s).ok())
                .ok_or_else(bad)?;
            segments.push((id, u32_at(b, at + 32)));
        }
        // The groups' bounds rise from 0 to the count.
        let mut last = 0u64;
        for g in 0..=groups {
            let o = u64_at(b, offsets + g * 8);
            if o < last || o > count as u64 || (g == 0 && o != 0) {
                return Err(bad());
            }
            last = o;
        }
        if last != count as u64 {
            return Err(bad());
        }
        Ok(Neighbours {
            data,
            dims,
            groups,
            count,
            segments,
            grouped,
            centres,
            offsets,
            entries,
        })
    }

    /// How many vectors the file holds.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The vectors' length (the model's dimensions).
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// How many groups the vectors are sorted into (1: compared one by one).
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Whether the file was written from the segments `searcher` reads, with the same
    /// deletions: nothing has changed since.
    pub fn is_current(&self, searcher: &Searcher) -> bool {
        let now = segment_table(searcher);
        now.len() == self.segments.len()
            && now
                .iter()
                .zip(&self.segments)
                .all(|(a, b)| a.0 == b.0 && a.1 == b.1)
    }

    fn group(&self, g: usize) -> std::ops::Range<usize> {
        let from = u64_at(&self.data, self.offsets + g * 8) as usize;
        let to = u64_at(&self.data, self.offsets + (g + 1) * 8) as usize;
        from..to
    }

    fn centre(&self, g: usize, out: &mut [f32]) {
        let at = self.centres + g * self.dims * 4;
        for (i, o) in out.iter_mut().enumerate() {
            *o = f32_at(&self.data, at + i * 4);
        }
    }

    /// The `k` articles whose vectors are nearest `query` (a unit vector of the
    /// model's), best first, with their cosines (the query rounded to signed bytes as
    /// the vectors are: within a few thousandths): those the searcher still holds (an
    /// article deleted since the file was written is left out). A query of another
    /// length finds nothing.
    pub fn nearest(&self, searcher: &Searcher, query: &[f32], k: usize) -> Vec<(f32, DocAddress)> {
        if query.len() != self.dims || k == 0 || self.count == 0 {
            return Vec::new();
        }
        // The file's segments among the searcher's, by id.
        let ords: Vec<Option<u32>> = self
            .segments
            .iter()
            .map(|(id, _)| {
                searcher
                    .segment_readers()
                    .iter()
                    .position(|r| r.segment_id() == *id)
                    .map(|p| p as u32)
            })
            .collect();
        let mut centre = vec![0f32; self.dims];
        let mut near: Vec<(f32, usize)> = (0..self.groups)
            .map(|g| {
                self.centre(g, &mut centre);
                (dot(query, &centre), g)
            })
            .collect();
        near.sort_by(|a, b| b.0.total_cmp(&a.0));
        near.truncate(probes(self.groups));
        let (q8, scale) = query_bytes(query);
        let mut best: Vec<(f32, u32, u32)> = Vec::with_capacity(k + 1);
        let mut floor = f32::NEG_INFINITY;
        let width = self.dims + 12;
        for (_, g) in near {
            for e in self.group(g) {
                let at = self.entries + e * width;
                let seg = u32_at(&self.data, at) as usize;
                let Some(Some(ord)) = ords.get(seg) else {
                    continue;
                };
                let cos = dot_i8(&q8, &self.data[at + 12..at + width]) as f32
                    * scale
                    * f32_at(&self.data, at + 8);
                if cos <= floor && best.len() >= k {
                    continue;
                }
                let doc = u32_at(&self.data, at + 4);
                let reader = searcher.segment_reader(*ord);
                if doc >= reader.max_doc()
                    || reader.alive_bitset().is_some_and(|a| a.is_deleted(doc))
                {
                    continue;
                }
                let place = best.partition_point(|b| b.0 >= cos);
                best.insert(place, (cos, *ord, doc));
                best.truncate(k);
                if best.len() >= k {
                    floor = best[k - 1].0;
                }
            }
        }
        best.into_iter()
            .map(|(c, ord, doc)| (c, DocAddress::new(ord, doc)))
            .collect()
    }
}

/// The dot product of two vectors of the same length, in sixteen lanes (which the
/// compiler turns into vector instructions).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..16 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// A unit query (or a group's centre) in signed bytes (the largest component ±127), for
/// [`dot_i8`], and the factor that turns its integer products back into its scale.
fn query_bytes(q: &[f32]) -> (Vec<i8>, f32) {
    let max = q.iter().fold(0f32, |m, x| m.max(x.abs()));
    if max == 0.0 || !max.is_finite() {
        return (vec![0; q.len()], 0.0);
    }
    let bytes = q
        .iter()
        .map(|x| (x / max * 127.0).round().clamp(-127.0, 127.0) as i8)
        .collect();
    (bytes, max / 127.0)
}

/// The integer dot product of a query in bytes and a stored vector, in 32 lanes of
/// 16-bit products summed in 32 bits (which the compiler turns into multiply-add
/// vector instructions): 384 products of at most 127² are far from overflowing.
fn dot_i8(a: &[i8], b: &[u8]) -> i32 {
    let mut acc = [0i32; 32];
    let (ca, cb) = (a.chunks_exact(32), b.chunks_exact(32));
    let tail: i32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(&x, &y)| i32::from(x) * i32::from(y as i8))
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..32 {
            acc[i] += i32::from(i16::from(x[i]) * i16::from(y[i] as i8));
        }
    }
    acc.iter().sum::<i32>() + tail
}

/// One article's vector as read from the index.
struct Entry {
    seg: u32,
    doc: u32,
    inv_norm: f32,
    bytes: Vec<u8>,
}

/// Every live article's vector (segment, document, bytes) in the fast column `column`.
fn read_vectors(searcher: &Searcher, column: &str) -> tantivy::Result<Vec<(u32, u32, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut bytes = Vec::new();
    for (seg, reader) in searcher.segment_readers().iter().enumerate() {
        let Some(col) = reader.fast_fields().bytes(column)? else {
            continue;
        };
        let alive = reader.alive_bitset();
        for doc in 0..reader.max_doc() {
            if alive.is_none_or(|a| a.is_alive(doc)) && super::stored_vector(&col, doc, &mut bytes)?
            {
                out.push((seg as u32, doc, bytes.clone()));
            }
        }
    }
    Ok(out)
}

fn unit(e: &Entry, out: &mut [f32]) {
    for (o, &b) in out.iter_mut().zip(&e.bytes) {
        *o = f32::from(b as i8) * e.inv_norm;
    }
}

/// The nearest of `centres` (each `dims` long, rounded to signed bytes, each with the
/// factor back to its scale) to a stored vector: integer products, as a search's.
fn nearest_centre(v: &[u8], centres: &[i8], scales: &[f32], dims: usize) -> usize {
    let mut best = (f32::NEG_INFINITY, 0);
    for (g, (c, scale)) in centres.chunks_exact(dims).zip(scales).enumerate() {
        let d = dot_i8(c, v) as f32 * scale;
        if d > best.0 {
            best = (d, g);
        }
    }
    best.1
}

/// Each entry's group, on `threads` threads.
fn assign<E: std::borrow::Borrow<Entry> + Sync>(
    entries: &[E],
    centres: &[f32],
    dims: usize,
    threads: usize,
) -> Vec<u32> {
    let (mut bytes, mut scales) = (Vec::with_capacity(centres.len()), Vec::new());
    for c in centres.chunks_exact(dims) {
        let (b, scale) = query_bytes(c);
        bytes.extend(b);
        scales.push(scale);
    }
    let (bytes, scales) = (&bytes, &scales);
    let chunk = entries.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        let parts: Vec<_> = entries
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|e| nearest_centre(&e.borrow().bytes, bytes, scales, dims) as u32)
                        .collect::<Vec<u32>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// K-means (spherical: centres of unit length, nearness by cosine) over an evenly
/// spread sample of `entries`: `groups` centres, `dims` each.
fn centres(entries: &[Entry], groups: usize, dims: usize, threads: usize) -> Vec<f32> {
    let mut v = vec![0f32; dims];
    if groups <= 1 {
        return vec![0f32; dims];
    }
    // 40 vectors a centre are enough to place it (FAISS asks 39 at least).
    let take = (groups * 40).min(entries.len());
    let step = entries.len() as f64 / take as f64;
    let sample: Vec<&Entry> = (0..take)
        .map(|i| &entries[(i as f64 * step) as usize])
        .collect();
    let mut centres = vec![0f32; groups * dims];
    let gstep = sample.len() as f64 / groups as f64;
    for g in 0..groups {
        unit(sample[(g as f64 * gstep) as usize], &mut v);
        centres[g * dims..(g + 1) * dims].copy_from_slice(&v);
    }
    for _ in 0..10 {
        let of = assign(&sample, &centres, dims, threads);
        let mut sums = vec![0f32; groups * dims];
        let mut counts = vec![0usize; groups];
        for (e, &g) in sample.iter().zip(&of) {
            unit(e, &mut v);
            let g = g as usize;
            counts[g] += 1;
            for (s, x) in sums[g * dims..(g + 1) * dims].iter_mut().zip(&v) {
                *s += x;
            }
        }
        for g in 0..groups {
            let s = &mut sums[g * dims..(g + 1) * dims];
            let norm = s.iter().map(|x| x * x).sum::<f32>().sqrt();
            // An empty group keeps its centre.
            if counts[g] > 0 && norm > 0.0 {
                for (c, x) in centres[g * dims..(g + 1) * dims].iter_mut().zip(s.iter()) {
                    *c = x / norm;
                }
            }
        }
    }
    centres
}

/// The file's bytes for the vectors `searcher` reads from the fast column `column`,
/// in `groups` groups (none: [`groups_for`] their number).
fn build(
    searcher: &Searcher,
    column: &str,
    dims: usize,
    groups: Option<usize>,
    threads: usize,
) -> tantivy::Result<Vec<u8>> {
    let vectors = read_vectors(searcher, column)?;
    Ok(encode_vectors(
        &segment_table(searcher),
        vectors,
        dims,
        groups,
        threads,
    ))
}

/// The file's bytes for `vectors` (segment's place in `table`, document, one signed
/// byte per dimension, `dims` of them; others are left out), in `groups` groups (none:
/// [`groups_for`]), k-means run on `threads` threads. `table` names each segment and
/// its deleted documents. An ingest comes here through [`refresh`]; benchmarks and
/// tests call it with vectors of their own.
pub fn encode_vectors(
    table: &[(tantivy::index::SegmentId, u32)],
    vectors: impl IntoIterator<Item = (u32, u32, Vec<u8>)>,
    dims: usize,
    groups: Option<usize>,
    threads: usize,
) -> Vec<u8> {
    let entries = vectors
        .into_iter()
        .filter_map(|v| entry_of(v, dims))
        .collect();
    encode(table, entries, dims, groups, threads)
}

/// A vector read from the index as an entry of the file: `None` for one of another
/// length, or of none (all zeros).
fn entry_of((seg, doc, bytes): (u32, u32, Vec<u8>), dims: usize) -> Option<Entry> {
    if bytes.len() != dims {
        return None;
    }
    let norm = bytes
        .iter()
        .map(|&b| f32::from(b as i8).powi(2))
        .sum::<f32>()
        .sqrt();
    (norm > 0.0).then(|| Entry {
        seg,
        doc,
        inv_norm: 1.0 / norm,
        bytes,
    })
}

/// The vectors when the groups were last made, against the vectors now: the groups
/// are made again once these have grown by half or shrunk by half.
fn regroup(grouped: usize, now: usize) -> bool {
    now.saturating_mul(2) > grouped.saturating_mul(3) || now.saturating_mul(2) < grouped
}

/// [`encode_vectors`] for a refresh: where `old` (the file before) is grouped and
/// little has changed since its groups were made, they are kept (its centres; see
/// [`regroup`]): a vector of a segment `old` holds stays in the group `old` puts it in,
/// the others (new articles, or segments merged since) go to their nearest group, as
/// FAISS adds to a trained index. The vectors themselves are always those given,
/// never copied from `old`. Else the groups are made anew, [`groups_for`] of them.
pub fn encode_vectors_keeping(
    old: Option<&Neighbours>,
    table: &[(tantivy::index::SegmentId, u32)],
    vectors: impl IntoIterator<Item = (u32, u32, Vec<u8>)>,
    dims: usize,
    threads: usize,
) -> Vec<u8> {
    let entries: Vec<Entry> = vectors
        .into_iter()
        .filter_map(|v| entry_of(v, dims))
        .collect();
    match old.and_then(|old| keeping_groups(old, table, &entries, dims, threads)) {
        Some(bytes) => bytes,
        None => encode(table, entries, dims, None, threads),
    }
}

/// The file's bytes for `entries` in the groups of `old` (its centres), or `None`
/// where they are to be made again: `old` has none (its vectors compared one by one),
/// vectors of another length, a centre that is not a number, or [`regroup`].
fn keeping_groups(
    old: &Neighbours,
    table: &[(tantivy::index::SegmentId, u32)],
    entries: &[Entry],
    dims: usize,
    threads: usize,
) -> Option<Vec<u8>> {
    if old.groups <= 1 || old.dims != dims || regroup(old.grouped, entries.len()) {
        return None;
    }
    let mut centres = vec![0f32; old.groups * dims];
    for (g, c) in centres.chunks_exact_mut(dims).enumerate() {
        old.centre(g, c);
    }
    if !centres.iter().all(|c| c.is_finite()) {
        return None;
    }
    // Each of the file's segments' place in `table`, where it still is.
    let places: Vec<Option<usize>> = old
        .segments
        .iter()
        .map(|(id, _)| table.iter().position(|(t, _)| t == id))
        .collect();
    // For each segment of `table` the file holds, each document's group there
    // (u32::MAX: none).
    let mut group_of: Vec<Vec<u32>> = vec![Vec::new(); table.len()];
    let width = dims + 12;
    for g in 0..old.groups {
        for e in old.group(g) {
            let at = old.entries + e * width;
            let Some(Some(place)) = places.get(u32_at(&old.data, at) as usize) else {
                continue;
            };
            let doc = u32_at(&old.data, at + 4) as usize;
            let docs = &mut group_of[*place];
            if docs.len() <= doc {
                docs.resize(doc + 1, u32::MAX);
            }
            docs[doc] = g as u32;
        }
    }
    let known = |e: &Entry| {
        group_of
            .get(e.seg as usize)
            .and_then(|d| d.get(e.doc as usize))
            .copied()
            .filter(|&g| (g as usize) < old.groups)
    };
    let new: Vec<&Entry> = entries.iter().filter(|e| known(e).is_none()).collect();
    let mut placed = assign(&new, &centres, dims, threads).into_iter();
    let of: Vec<u32> = entries
        .iter()
        .map(|e| known(e).or_else(|| placed.next()).unwrap_or(0))
        .collect();
    Some(layout(
        table,
        entries,
        &of,
        &centres,
        old.groups,
        dims,
        old.grouped,
    ))
}

fn encode(
    table: &[(tantivy::index::SegmentId, u32)],
    entries: Vec<Entry>,
    dims: usize,
    groups: Option<usize>,
    threads: usize,
) -> Vec<u8> {
    let groups = groups
        .unwrap_or_else(|| groups_for(entries.len()))
        .clamp(1, entries.len().max(1));
    let centres = centres(&entries, groups, dims, threads);
    let of = if groups > 1 {
        assign(&entries, &centres, dims, threads)
    } else {
        vec![0; entries.len()]
    };
    layout(table, &entries, &of, &centres, groups, dims, entries.len())
}

/// The file's bytes: `entries` in `groups` groups around `centres`, `of` naming each
/// entry's group, the groups made when there were `grouped` vectors.
fn layout(
    table: &[(tantivy::index::SegmentId, u32)],
    entries: &[Entry],
    of: &[u32],
    centres: &[f32],
    groups: usize,
    dims: usize,
    grouped: usize,
) -> Vec<u8> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| (of[i], i));
    let mut out = Vec::with_capacity(
        HEADER
            + table.len() * SEGMENT
            + centres.len() * 4
            + (groups + 1) * 8
            + entries.len() * (dims + 12),
    );
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(dims as u32).to_le_bytes());
    out.extend_from_slice(&(groups as u32).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    out.extend_from_slice(&(table.len() as u32).to_le_bytes());
    out.extend_from_slice(&u32::try_from(grouped).unwrap_or(u32::MAX).to_le_bytes());
    for (id, deleted) in table {
        out.extend_from_slice(id.uuid_string().as_bytes());
        out.extend_from_slice(&deleted.to_le_bytes());
    }
    for c in centres {
        out.extend_from_slice(&c.to_le_bytes());
    }
    let mut counts = vec![0u64; groups];
    for &g in of {
        counts[g as usize] += 1;
    }
    let mut start = 0u64;
    for c in counts {
        out.extend_from_slice(&start.to_le_bytes());
        start += c;
    }
    out.extend_from_slice(&start.to_le_bytes());
    for i in order {
        let e = &entries[i];
        out.extend_from_slice(&e.seg.to_le_bytes());
        out.extend_from_slice(&e.doc.to_le_bytes());
        out.extend_from_slice(&e.inv_norm.to_le_bytes());
        out.extend_from_slice(&e.bytes);
    }
    out
}

/// Each segment of `searcher` and its deleted documents, as [`encode_vectors`] takes
/// them.
pub fn segment_table(searcher: &Searcher) -> Vec<(tantivy::index::SegmentId, u32)> {
    searcher
        .segment_readers()
        .iter()
        .map(|r| (r.segment_id(), r.num_deleted_docs()))
        .collect()
}

/// Writes the file for the index in `data` (its data folder) from what `searcher`
/// reads, unless the one there is current ([`Neighbours::is_current`]); the groups of
/// the one there are kept while little has changed ([`encode_vectors_keeping`]).
/// Returns how many vectors it holds, or `None` when it was current already. Written
/// to [`FILE_TMP`], flushed, then renamed over [`FILE`].
pub fn refresh(
    data: &Path,
    searcher: &Searcher,
    column: &str,
    dims: usize,
    threads: usize,
) -> Result<Option<usize>, crate::error::Error> {
    let old = Neighbours::open(data).ok().flatten();
    if let Some(n) = &old {
        if n.dims == dims && n.is_current(searcher) {
            return Ok(None);
        }
    }
    let vectors =
        read_vectors(searcher, column).map_err(|e| crate::error::Error::write(data, e))?;
    let bytes = encode_vectors_keeping(
        old.as_ref(),
        &segment_table(searcher),
        vectors,
        dims,
        threads,
    );
    // (The old file's map is let go before the new one is renamed over it.)
    drop(old);
    write_bytes(data, &bytes)?;
    Ok(Some(u64_at(&bytes, 16) as usize))
}

/// [`refresh`] without the check, in `groups` groups (none: [`groups_for`]).
pub fn write(
    data: &Path,
    searcher: &Searcher,
    column: &str,
    dims: usize,
    groups: Option<usize>,
    threads: usize,
) -> Result<usize, crate::error::Error> {
    let bytes = build(searcher, column, dims, groups, threads)
        .map_err(|e| crate::error::Error::write(data, e))?;
    write_bytes(data, &bytes)?;
    Ok(u64_at(&bytes, 16) as usize)
}

/// Writes `bytes` (from [`encode_vectors`]) as the file in `data`: to [`FILE_TMP`],
/// flushed, then renamed over [`FILE`]. On a failure the temporary file is removed and
/// the old file stays whole.
pub fn write_bytes(data: &Path, bytes: &[u8]) -> Result<(), crate::error::Error> {
    use std::io::Write;
    let tmp: PathBuf = data.join(FILE_TMP);
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, data.join(FILE))
    })();
    if let Err(e) = written {
        // (A full disk: the half-written file is ours, and the old one stays whole.)
        let _ = std::fs::remove_file(&tmp);
        return Err(crate::error::Error::write(
            &tmp,
            tantivy::TantivyError::IoError(std::sync::Arc::new(e)),
        ));
    }
    let _ = crate::index::layout::sync_dir(data);
    Ok(())
}

/// [`refresh`] for an index whose model makes vectors of `dims`, from its last commit.
pub fn refresh_index(
    idx: &crate::index::NewsIndex,
    dims: usize,
    threads: usize,
) -> Result<Option<usize>, crate::error::Error> {
    let Some(field) = idx.fields.semantic else {
        return Ok(None);
    };
    let reader: tantivy::IndexReader = idx
        .index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let column = searcher.schema().get_field_name(field).to_string();
    refresh(&idx.data_path, &searcher, &column, dims, threads.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, FAST, STORED, STRING};
    use tantivy::{doc, Index, IndexWriter, Term};

    const DIMS: usize = 24;

    /// A vector for article `i`: a few dozen directions, each with its own small
    /// differences, so that groups form and every vector is nearest itself.
    fn vector(i: usize) -> Vec<u8> {
        let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..DIMS)
            .map(|d| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let theme = if (i % 40 + d).is_multiple_of(5) {
                    90
                } else {
                    0
                };
                ((x % 61) as i64 - 30 + theme).clamp(-127, 127) as i8 as u8
            })
            .collect()
    }

    fn unit_of(bytes: &[u8]) -> Vec<f32> {
        let v: Vec<f32> = bytes.iter().map(|&b| f32::from(b as i8)).collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    /// An index of `n` articles (`id` i, the vector of [`vector`]), in two segments.
    fn index(n: usize) -> (Index, tantivy::schema::Field) {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED);
        let sem = b.add_bytes_field("semantic", FAST);
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        for i in 0..n {
            w.add_document(doc!(id => i.to_string(), sem => vector(i)))
                .unwrap();
            if i == n / 2 {
                w.commit().unwrap();
            }
        }
        w.commit().unwrap();
        (index, id)
    }

    fn searcher(index: &Index) -> Searcher {
        index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .unwrap()
            .searcher()
    }

    fn id_of(searcher: &Searcher, idf: tantivy::schema::Field, a: DocAddress) -> String {
        use tantivy::schema::Value;
        let d: tantivy::TantivyDocument = searcher.doc(a).unwrap();
        d.get_first(idf).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn each_vector_is_found_nearest_itself_compared_one_by_one_or_in_groups() {
        let (index, idf) = index(600);
        let s = searcher(&index);
        for groups in [None, Some(40)] {
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), &s, "semantic", DIMS, groups, 2).unwrap();
            let n = Neighbours::open(dir.path()).unwrap().unwrap();
            assert_eq!(n.len(), 600);
            assert_eq!(n.groups(), groups.unwrap_or(1));
            assert!(n.is_current(&s));
            for i in (0..600).step_by(7) {
                let q = unit_of(&vector(i));
                let found = n.nearest(&s, &q, 5);
                assert_eq!(found.len(), 5, "{groups:?} {i}");
                assert_eq!(id_of(&s, idf, found[0].1), i.to_string(), "{groups:?}");
                // (The query rounded to bytes: its cosine with itself is near 1, not 1.)
                assert!((found[0].0 - 1.0).abs() < 5e-3, "{}", found[0].0);
                assert!(found.windows(2).all(|w| w[0].0 >= w[1].0));
            }
            // A query of another length finds nothing.
            assert!(n.nearest(&s, &[1.0; 5], 5).is_empty());
        }
    }

    #[test]
    fn the_groups_find_most_of_the_exact_nearest() {
        let (index, _) = index(3000);
        let s = searcher(&index);
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &s, "semantic", DIMS, Some(64), 2).unwrap();
        let grouped = Neighbours::open(dir.path()).unwrap().unwrap();
        let flat_dir = tempfile::tempdir().unwrap();
        write(flat_dir.path(), &s, "semantic", DIMS, Some(1), 2).unwrap();
        let flat = Neighbours::open(flat_dir.path()).unwrap().unwrap();
        let (mut found, mut all) = (0, 0);
        for i in (0..3000).step_by(37) {
            // A query near, not on, a stored vector.
            let mut q = unit_of(&vector(i));
            q.rotate_left(1);
            let exact: Vec<DocAddress> =
                flat.nearest(&s, &q, 10).into_iter().map(|x| x.1).collect();
            let approx: Vec<DocAddress> = grouped
                .nearest(&s, &q, 10)
                .into_iter()
                .map(|x| x.1)
                .collect();
            found += exact.iter().filter(|a| approx.contains(a)).count();
            all += exact.len();
        }
        // 8 groups of 64 read: most of the true ten nearest (759 of 820 when written),
        // where groups read at random would hold an eighth.
        assert!(found * 10 >= all * 8, "{found} of {all}");
    }

    #[test]
    fn a_deleted_article_is_not_found_and_the_file_is_then_out_of_date() {
        let (index, idf) = index(200);
        let s = searcher(&index);
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &s, "semantic", DIMS, None, 1).unwrap();
        let mut w: IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        w.delete_term(Term::from_field_text(idf, "17"));
        w.commit().unwrap();
        let after = searcher(&index);
        let n = Neighbours::open(dir.path()).unwrap().unwrap();
        assert!(!n.is_current(&after));
        let found = n.nearest(&after, &unit_of(&vector(17)), 3);
        assert_eq!(found.len(), 3);
        assert!(found.iter().all(|x| id_of(&after, idf, x.1) != "17"));
        // Written again, it is current, and a second refresh leaves it.
        assert_eq!(
            refresh(dir.path(), &after, "semantic", DIMS, 1).unwrap(),
            Some(199)
        );
        assert_eq!(
            refresh(dir.path(), &after, "semantic", DIMS, 1).unwrap(),
            None
        );
        assert!(!dir.path().join(FILE_TMP).exists());
    }

    /// Adds articles `from..to` (the vectors of [`vector`]) in a segment of their own,
    /// and deletes the article `delete`.
    fn add(index: &Index, idf: tantivy::schema::Field, from: usize, to: usize, delete: usize) {
        let sem = index.schema().get_field("semantic").unwrap();
        let mut w: IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        w.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for i in from..to {
            w.add_document(doc!(idf => i.to_string(), sem => vector(i)))
                .unwrap();
        }
        w.delete_term(Term::from_field_text(idf, &delete.to_string()));
        w.commit().unwrap();
    }

    /// Refreshes the file in `dir` for `index`, which then holds `count` vectors.
    fn refreshed(index: &Index, dir: &Path, count: usize) -> (Searcher, Neighbours) {
        let s = searcher(index);
        assert_eq!(refresh(dir, &s, "semantic", DIMS, 2).unwrap(), Some(count));
        (s, Neighbours::open(dir).unwrap().unwrap())
    }

    #[test]
    fn a_refresh_keeps_the_groups_until_the_vectors_grow_by_half() {
        let (index, idf) = index(600);
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &searcher(&index), "semantic", DIMS, Some(8), 2).unwrap();
        let first = std::fs::read(dir.path().join(FILE)).unwrap();
        let centres = |b: &[u8], segments: usize| {
            let at = HEADER + segments * SEGMENT;
            b[at..at + 8 * DIMS * 4].to_vec()
        };
        // Sixty added in a new segment, one deleted: the same centres, the new
        // articles found nearest themselves, the deleted one gone.
        add(&index, idf, 600, 660, 17);
        let s = searcher(&index);
        assert_eq!(s.segment_readers().len(), 3);
        assert_eq!(
            refresh(dir.path(), &s, "semantic", DIMS, 2).unwrap(),
            Some(659)
        );
        let n = Neighbours::open(dir.path()).unwrap().unwrap();
        assert!(n.is_current(&s));
        assert_eq!((n.groups(), n.grouped), (8, 600));
        let second = std::fs::read(dir.path().join(FILE)).unwrap();
        assert_eq!(centres(&first, 2), centres(&second, 3));
        for i in (0..660).step_by(11).chain(600..610) {
            let found = n.nearest(&s, &unit_of(&vector(i)), 3);
            assert_eq!(id_of(&s, idf, found[0].1), i.to_string(), "{i}");
            assert!(found.iter().all(|x| id_of(&s, idf, x.1) != "17"));
        }
        // The vectors as the index holds them, whatever the old file said of them:
        // an old vector's bytes damaged in the file are not carried over.
        let mut damaged = second.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0x55;
        std::fs::write(dir.path().join(FILE), &damaged).unwrap();
        add(&index, idf, 660, 661, 18);
        let s = searcher(&index);
        refresh(dir.path(), &s, "semantic", DIMS, 2).unwrap();
        let third = std::fs::read(dir.path().join(FILE)).unwrap();
        let kept = Neighbours::open(dir.path()).unwrap().unwrap();
        let vectors = read_vectors(&s, "semantic").unwrap();
        let again = encode_vectors_keeping(Some(&kept), &segment_table(&s), vectors, DIMS, 2);
        assert_eq!(third, again, "the same groups from the file it wrote");
        let mut stored: Vec<Vec<u8>> = Vec::new();
        let width = DIMS + 12;
        for e in 0..kept.len() {
            let at = kept.entries + e * width;
            stored.push(third[at + 12..at + width].to_vec());
        }
        let mut want: Vec<Vec<u8>> = read_vectors(&s, "semantic")
            .unwrap()
            .into_iter()
            .map(|v| v.2)
            .collect();
        stored.sort();
        want.sort();
        assert_eq!(stored, want);
        // Grown by half since the groups were made: they are made again (here, at
        // this size, as one group compared one by one).
        add(&index, idf, 661, 880, 19);
        let (_, n) = refreshed(&index, dir.path(), 877);
        assert_eq!(
            (n.groups(), n.grouped),
            (8, 600),
            "not yet half as many again"
        );
        add(&index, idf, 880, 920, 20);
        let (_, n) = refreshed(&index, dir.path(), 916);
        assert_eq!((n.groups(), n.grouped), (1, 916));
    }

    #[test]
    fn a_file_whose_centres_are_damaged_is_grouped_again() {
        let (index, idf) = index(300);
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &searcher(&index), "semantic", DIMS, Some(4), 1).unwrap();
        let mut b = std::fs::read(dir.path().join(FILE)).unwrap();
        let at = HEADER + 2 * SEGMENT;
        b[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        // (A file from before the count of grouped vectors was written holds 0 there.)
        b[28..32].copy_from_slice(&[0; 4]);
        std::fs::write(dir.path().join(FILE), &b).unwrap();
        assert_eq!(Neighbours::open(dir.path()).unwrap().unwrap().grouped, 300);
        add(&index, idf, 300, 310, 3);
        let (_, n) = refreshed(&index, dir.path(), 309);
        assert_eq!((n.groups(), n.grouped), (1, 309));
    }

    #[test]
    fn a_damaged_file_is_an_error_that_names_it_never_a_panic() {
        let (index, _) = index(100);
        let s = searcher(&index);
        let dir = tempfile::tempdir().unwrap();
        assert!(Neighbours::open(dir.path()).unwrap().is_none());
        write(dir.path(), &s, "semantic", DIMS, Some(4), 1).unwrap();
        let whole = std::fs::read(dir.path().join(FILE)).unwrap();
        let mut cases: Vec<Vec<u8>> = vec![
            whole[..whole.len() - 1].to_vec(),
            whole[..40].to_vec(),
            Vec::new(),
            b"NXNB0002".iter().chain(&whole[8..]).copied().collect(),
        ];
        // A group's bound out of order, then past the end.
        let groups_at = HEADER + 2 * SEGMENT + 4 * DIMS * 4;
        for (at, v) in [(groups_at + 8, 90u64), (groups_at + 32, 1 << 40)] {
            let mut c = whole.clone();
            c[at..at + 8].copy_from_slice(&v.to_le_bytes());
            cases.push(c);
        }
        for (n, case) in cases.iter().enumerate() {
            std::fs::write(dir.path().join(FILE), case).unwrap();
            let err = Neighbours::open(dir.path()).unwrap_err();
            assert!(err.contains(FILE), "{n}: {err}");
        }
        // Every byte of the header and tables set wrong: an error or a file that
        // searches, never a panic.
        for at in 0..groups_at + 48 {
            let mut c = whole.clone();
            c[at] ^= 0xA5;
            std::fs::write(dir.path().join(FILE), &c).unwrap();
            if let Ok(Some(n)) = Neighbours::open(dir.path()) {
                let _ = n.nearest(&s, &unit_of(&vector(3)), 4);
            }
        }
        // The refresh writes a damaged file anew.
        std::fs::write(dir.path().join(FILE), &whole[..40]).unwrap();
        assert_eq!(
            refresh(dir.path(), &s, "semantic", DIMS, 1).unwrap(),
            Some(100)
        );
        assert!(Neighbours::open(dir.path()).unwrap().is_some());
    }
}
