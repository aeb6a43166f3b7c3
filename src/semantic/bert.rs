//! A small BERT sentence encoder: loads a BERT model (configuration in `config.json`,
//! weights in `model.safetensors`) from a folder and turns a sequence of token ids into
//! one embedding vector.
//!
//! The model is the usual post-LayerNorm BERT encoder:
//!
//! * the input of each token is its word embedding plus the embedding of its position
//!   plus the embedding of token type 0, passed through a LayerNorm;
//! * each layer runs multi-head self-attention (every token sees every token; there is
//!   no padding, so there is no mask), adds the result to its input and normalises,
//!   then a feed-forward block (dense, GELU, dense), again added and normalised;
//! * the sentence embedding is the mean of the last layer's token vectors (all of them,
//!   the [CLS] and [SEP] markers included), scaled to length 1.
//!
//! Tokenisation is not done here: the caller passes ids that already start with [CLS]
//! and end with [SEP].
//!
//! The weights are read once into plain `Vec<f32>`s; `embed` only reads them, so one
//! `Bert` can be shared by any number of threads. Matrix products go through
//! `matrixmultiply::sgemm`, which reads matrices through row and column strides: each
//! attention head reads its slice of the query/key/value block in place, keys
//! transposed, without copying. (The weight matrices are transposed once, at load; see
//! `Layer`.)
//!
//! The weights file is parsed here (the format is simple): an 8-byte little-endian
//! header length, a JSON header naming each tensor with its dtype, shape and byte range
//! (relative to the end of the header), then the raw data. Every size read from the
//! file is checked against the file's length before anything is allocated by it, so a
//! damaged file gives an error, never a panic or an absurd allocation.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The id that stands for an unknown word in the usual BERT vocabularies; ids outside
/// the vocabulary are read as this one (or as 0 in a vocabulary too small to have it).
const UNK_ID: usize = 100;

/// The feed-forward activation named by the configuration's `hidden_act`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Activation {
    /// `gelu`: the exact form, x · Φ(x), Φ being the normal distribution function,
    /// computed from the error function (see `gelu_all`).
    Gelu,
    /// `gelu_new` / `gelu_pytorch_tanh`: the tanh approximation of GELU.
    GeluTanh,
}

/// The weights of one encoder layer. The file stores each weight matrix as [out, in];
/// here they are kept transposed, row-major [in, out], so that the matrix product
/// reads (and packs) runs of contiguous values. That made short inputs about twice as
/// fast: for a query of a few tokens, packing the weights costs more than the
/// arithmetic.
struct Layer {
    /// Query, key and value weights side by side in one [hidden, 3·hidden] matrix, so
    /// the three projections are one matrix product; columns 0..h give the query,
    /// h..2h the key, 2h..3h the value.
    qkv_w: Weight,
    /// The matching biases, [3·hidden].
    qkv_b: Vec<f32>,
    /// The projection of the attention output, [hidden, hidden] (transposed), and its
    /// bias.
    attn_out_w: Weight,
    attn_out_b: Vec<f32>,
    /// The LayerNorm after attention (scale and shift).
    attn_ln_g: Vec<f32>,
    attn_ln_b: Vec<f32>,
    /// The feed-forward block, transposed: [hidden, intermediate] up, [intermediate,
    /// hidden] down.
    inter_w: Weight,
    inter_b: Vec<f32>,
    out_w: Weight,
    out_b: Vec<f32>,
    /// The LayerNorm after the feed-forward block.
    out_ln_g: Vec<f32>,
    out_ln_b: Vec<f32>,
}

/// A weight matrix, [in, out] row-major: rounded to bfloat16 (`half`), and in 32-bit
/// floats (`full`) for sgemm. Where every product is made from the packed pairs (an
/// optimised build on a processor with AVX512-BF16), `full` is never read and is not
/// kept: 42 MB less for all-MiniLM-L6-v2.
struct Weight {
    full: Vec<f32>,
    half: Half,
}

/// A weight matrix rounded to bfloat16, laid out for the loop that reads it.
enum Half {
    /// For [`rows_add`]: for each block of [`BLOCK`] outputs (the last padded with
    /// zeros), the block's weights of input 0, then of input 1, and so on (see
    /// [`pack_blocks`]).
    Rows(Vec<u16>),
    /// For [`pairs_add`], where the processor multiplies bfloat16 pairs itself
    /// (AVX512-BF16): for each block of 16 outputs, for each pair of inputs (2k, 2k + 1),
    /// the 16 outputs' weights of input 2k and 2k + 1 interleaved (32 values).
    Pairs(Vec<u16>),
}

impl Weight {
    /// `full` is [inp, out] row-major.
    fn new(full: Vec<f32>, inp: usize, out: usize) -> Weight {
        if has_bf16_pairs() && inp.is_multiple_of(2) && out.is_multiple_of(16) {
            let half = Half::Pairs(pack_pairs(&full, inp, out));
            let full = if PAIRS { Vec::new() } else { full };
            return Weight { full, half };
        }
        let half = Half::Rows(pack_blocks(&full, inp, out));
        Weight { full, half }
    }
}

/// Whether the processor multiplies pairs of bfloat16 values (AVX512-BF16).
fn has_bf16_pairs() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `w` ([inp, out] row-major, inp even, out a multiple of 16) rounded to bfloat16 in
/// the layout of [`Half::Pairs`].
fn pack_pairs(w: &[f32], inp: usize, out: usize) -> Vec<u16> {
    let pairs = inp / 2;
    let mut packed = Vec::with_capacity(inp * out);
    for c in 0..out / 16 {
        for k in 0..pairs {
            for j in c * 16..c * 16 + 16 {
                packed.push(bf16(w[2 * k * out + j]));
                packed.push(bf16(w[(2 * k + 1) * out + j]));
            }
        }
    }
    packed
}

/// Outputs in a block of [`Half::Rows`]: one 256-bit vector of 32-bit floats.
const BLOCK: usize = 8;

/// `w` ([inp, out] row-major) rounded to bfloat16 in the layout of [`Half::Rows`]: each
/// block of [`BLOCK`] outputs' weights, input by input, so that [`rows_add`] reads them
/// in order.
fn pack_blocks(w: &[f32], inp: usize, out: usize) -> Vec<u16> {
    let mut packed = vec![0u16; out.div_ceil(BLOCK) * inp * BLOCK];
    for (k, row) in w.chunks_exact(out).take(inp).enumerate() {
        for (o, &v) in row.iter().enumerate() {
            packed[((o / BLOCK) * inp + k) * BLOCK + o % BLOCK] = bf16(v);
        }
    }
    packed
}

/// `v` rounded to the nearest bfloat16 (ties to even): the top 16 bits of an f32.
fn bf16(v: f32) -> u16 {
    let bits = v.to_bits();
    if v.is_nan() {
        return ((bits >> 16) | 0x40) as u16;
    }
    let round = 0x7fff + ((bits >> 16) & 1);
    (bits.wrapping_add(round) >> 16) as u16
}

/// A loaded BERT encoder. Immutable after loading, hence `Send + Sync`.
pub struct Bert {
    hidden: usize,
    heads: usize,
    intermediate: usize,
    vocab: usize,
    max_positions: usize,
    eps: f32,
    act: Activation,
    /// The id used for ids outside the vocabulary.
    unk: usize,
    /// Word embeddings, [vocab, hidden].
    word: Vec<f32>,
    /// Position embeddings, [max_positions, hidden].
    position: Vec<f32>,
    /// The embedding of token type 0, [hidden] (all input is one segment).
    token_type0: Vec<f32>,
    /// The LayerNorm applied to the summed input embeddings.
    emb_ln_g: Vec<f32>,
    emb_ln_b: Vec<f32>,
    layers: Vec<Layer>,
}

impl std::fmt::Debug for Bert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bert")
            .field("hidden", &self.hidden)
            .field("layers", &self.layers.len())
            .field("heads", &self.heads)
            .field("intermediate", &self.intermediate)
            .field("vocab", &self.vocab)
            .field("max_positions", &self.max_positions)
            .field("activation", &self.act)
            .finish()
    }
}

impl Bert {
    /// Reads config.json and model.safetensors from `dir`. Errors (never panics) on a missing file,
    /// a damaged/truncated safetensors file, a tensor missing or of the wrong shape or dtype; the
    /// message names the file and what is wrong.
    pub fn load(dir: &Path) -> Result<Bert, String> {
        let config = Config::read(&dir.join("config.json"))?;
        let mut st = SafeTensors::open(&dir.join("model.safetensors"))?;
        let (h, i) = (config.hidden, config.intermediate);

        let word = st.read("embeddings.word_embeddings.weight", &[config.vocab, h])?;
        let position = st.read(
            "embeddings.position_embeddings.weight",
            &[config.max_positions, h],
        )?;
        let mut token_type = st.read(
            "embeddings.token_type_embeddings.weight",
            &[config.type_vocab, h],
        )?;
        token_type.truncate(h);
        let emb_ln_g = st.read("embeddings.LayerNorm.weight", &[h])?;
        let emb_ln_b = st.read("embeddings.LayerNorm.bias", &[h])?;

        let mut layers = Vec::new();
        for l in 0..config.layers {
            let p = format!("encoder.layer.{l}.");
            // Query, key and value side by side in one transposed matrix [h, 3h]:
            // element (r, k·h + c) is row c, column r of the k-th stored matrix.
            let mut qkv_w = vec![0f32; 3 * h * h];
            let mut qkv_b = vec![0f32; 3 * h];
            for (k, part) in ["query", "key", "value"].iter().enumerate() {
                let name = format!("{p}attention.self.{part}.");
                let w = st.read(&format!("{name}weight"), &[h, h])?;
                for (c, w_row) in w.chunks_exact(h).enumerate() {
                    for (r, &v) in w_row.iter().enumerate() {
                        qkv_w[r * 3 * h + k * h + c] = v;
                    }
                }
                let b = st.read(&format!("{name}bias"), &[h])?;
                qkv_b[k * h..(k + 1) * h].copy_from_slice(&b);
            }
            // Reads a weight matrix stored [out, in] and transposes it.
            let mut dense = |name: &str, out: usize, inp: usize| -> Result<Vec<f32>, String> {
                Ok(transpose(
                    &st.read(&format!("{p}{name}"), &[out, inp])?,
                    out,
                    inp,
                ))
            };
            let attn_out_w = dense("attention.output.dense.weight", h, h)?;
            let inter_w = dense("intermediate.dense.weight", i, h)?;
            let out_w = dense("output.dense.weight", h, i)?;
            layers.push(Layer {
                qkv_w: Weight::new(qkv_w, h, 3 * h),
                qkv_b,
                attn_out_w: Weight::new(attn_out_w, h, h),
                attn_out_b: st.read(&format!("{p}attention.output.dense.bias"), &[h])?,
                attn_ln_g: st.read(&format!("{p}attention.output.LayerNorm.weight"), &[h])?,
                attn_ln_b: st.read(&format!("{p}attention.output.LayerNorm.bias"), &[h])?,
                inter_w: Weight::new(inter_w, h, i),
                inter_b: st.read(&format!("{p}intermediate.dense.bias"), &[i])?,
                out_w: Weight::new(out_w, i, h),
                out_b: st.read(&format!("{p}output.dense.bias"), &[h])?,
                out_ln_g: st.read(&format!("{p}output.LayerNorm.weight"), &[h])?,
                out_ln_b: st.read(&format!("{p}output.LayerNorm.bias"), &[h])?,
            });
        }

        Ok(Bert {
            hidden: h,
            heads: config.heads,
            intermediate: i,
            vocab: config.vocab,
            max_positions: config.max_positions,
            eps: config.eps,
            act: config.act,
            unk: if UNK_ID < config.vocab { UNK_ID } else { 0 },
            word,
            position,
            token_type0: token_type,
            emb_ln_g,
            emb_ln_b,
            layers,
        })
    }

    /// Mean-pooled, L2-normalised embedding (len = hidden size) of ids ([CLS] … [SEP], already
    /// truncated by the caller; ids past max positions are cut). Empty ids → zero vector.
    /// Ids outside the vocabulary are treated as [UNK] (id 100), never a panic.
    pub fn embed(&self, ids: &[u32]) -> Vec<f32> {
        let h = self.hidden;
        let n = ids.len().min(self.max_positions);
        if n == 0 {
            return vec![0.0; h];
        }

        // The input: word + position + token type 0, then LayerNorm; one row per token.
        let mut x = vec![0f32; n * h];
        for (t, (row, &id)) in x.chunks_exact_mut(h).zip(ids).enumerate() {
            let id = usize::try_from(id)
                .ok()
                .filter(|&id| id < self.vocab)
                .unwrap_or(self.unk);
            let word = &self.word[id * h..(id + 1) * h];
            let pos = &self.position[t * h..(t + 1) * h];
            for (j, v) in row.iter_mut().enumerate() {
                *v = word[j] + pos[j] + self.token_type0[j];
            }
            layer_norm(row, &self.emb_ln_g, &self.emb_ln_b, self.eps);
        }

        // Scratch space for one layer, reused by every layer.
        let mut scratch = Scratch {
            qkv: vec![0f32; n * 3 * h],
            scores: vec![0f32; n * n],
            context: vec![0f32; n * h],
            inter: vec![0f32; n * self.intermediate],
            next: vec![0f32; n * h],
        };
        for layer in &self.layers {
            self.layer_forward(layer, n, &mut x, &mut scratch);
        }

        // Mean over all tokens, scaled to length 1 (the sum has the mean's direction,
        // so the division by n is left to the scaling).
        let mut sum = vec![0f64; h];
        for row in x.chunks_exact(h) {
            for (s, &v) in sum.iter_mut().zip(row) {
                *s += v as f64;
            }
        }
        let norm = sum.iter().map(|s| s * s).sum::<f64>().sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            // Only reachable with degenerate weights; a zero vector matches nothing.
            return vec![0.0; h];
        }
        sum.iter().map(|&s| (s / norm) as f32).collect()
    }

    /// The length of the embeddings (the model's hidden size).
    pub fn dim(&self) -> usize {
        self.hidden
    }

    /// Runs one encoder layer over the `n` token rows of `x` (n × hidden), in place.
    fn layer_forward(&self, layer: &Layer, n: usize, x: &mut Vec<f32>, s: &mut Scratch) {
        let h = self.hidden;
        let heads = self.heads;
        let d = h / heads;
        let i = self.intermediate;

        // 1. Queries, keys and values for all tokens in one product:
        //    qkv (n × 3h) = x · Wqkvᵀ + b. (Here and below W is a weight matrix as the
        //    file stores it, [out, in]; `Layer` keeps Wᵀ, which `dense_add` takes.)
        fill_rows(&mut s.qkv, &layer.qkv_b);
        dense_add(x, n, h, &layer.qkv_w, 3 * h, &mut s.qkv);

        // 2. Attention, one head at a time. Head k's query, key and value are columns
        //    k·d.., h + k·d.. and 2h + k·d.. of qkv (row stride 3h), read in place.
        let scale = 1.0 / (d as f32).sqrt();
        for k in 0..heads {
            let q = View::new(&s.qkv[k * d..], n, d, 3 * h, 1);
            // Kᵀ (d × n): element (a, t) is key t's component a.
            let kt = View::new(&s.qkv[h + k * d..], d, n, 1, 3 * h);
            let v = View::new(&s.qkv[2 * h + k * d..], n, d, 3 * h, 1);
            // scores (n × n) = Q·Kᵀ / √d
            gemm(scale, q, kt, 0.0, ViewMut::new(&mut s.scores, n, n, n, 1));
            for row in s.scores.chunks_exact_mut(n) {
                softmax(row);
            }
            // context columns k·d.. (n × d) = softmax(scores) · V
            gemm(
                1.0,
                View::new(&s.scores, n, n, n, 1),
                v,
                0.0,
                ViewMut::new(&mut s.context[k * d..], n, d, h, 1),
            );
        }

        // 3. Output projection added to the layer's input, then LayerNorm:
        //    next = LN(x + b + context · Woᵀ). The residual and the bias are written
        //    first and the product is added onto them (beta = 1).
        add_rows(&mut s.next, x, &layer.attn_out_b);
        dense_add(&s.context, n, h, &layer.attn_out_w, h, &mut s.next);
        for row in s.next.chunks_exact_mut(h) {
            layer_norm(row, &layer.attn_ln_g, &layer.attn_ln_b, self.eps);
        }
        std::mem::swap(x, &mut s.next);

        // 4. Feed-forward: inter = GELU(x · Wiᵀ + bi), x = LN(x + bo + inter · Wo'ᵀ).
        fill_rows(&mut s.inter, &layer.inter_b);
        dense_add(x, n, h, &layer.inter_w, i, &mut s.inter);
        match self.act {
            Activation::Gelu => gelu_all(&mut s.inter),
            Activation::GeluTanh => s.inter.iter_mut().for_each(|v| *v = gelu_tanh(*v)),
        }
        add_rows(&mut s.next, x, &layer.out_b);
        dense_add(&s.inter, n, i, &layer.out_w, h, &mut s.next);
        for row in s.next.chunks_exact_mut(h) {
            layer_norm(row, &layer.out_ln_g, &layer.out_ln_b, self.eps);
        }
        std::mem::swap(x, &mut s.next);
    }
}

/// Buffers for one call of `embed`, sized for its number of tokens.
struct Scratch {
    /// Queries, keys and values side by side, n × 3·hidden.
    qkv: Vec<f32>,
    /// Attention scores of one head, n × n.
    scores: Vec<f32>,
    /// Attention output of all heads, n × hidden.
    context: Vec<f32>,
    /// Feed-forward hidden values, n × intermediate.
    inter: Vec<f32>,
    /// The next value of the token rows, n × hidden.
    next: Vec<f32>,
}

// ---------------------------------------------------------------------------------------
// Small numeric helpers.

/// The transpose of a row-major rows × cols matrix.
fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0f32; rows * cols];
    for (r, row) in m.chunks_exact(cols).enumerate() {
        for (c, &v) in row.iter().enumerate() {
            t[c * rows + r] = v;
        }
    }
    t
}

/// Sets every row of `m` (rows of `bias.len()` values) to `bias`.
fn fill_rows(m: &mut [f32], bias: &[f32]) {
    for row in m.chunks_exact_mut(bias.len()) {
        row.copy_from_slice(bias);
    }
}

/// Sets `out` = `x` + `bias` row by row (rows of `bias.len()` values).
fn add_rows(out: &mut [f32], x: &[f32], bias: &[f32]) {
    let w = bias.len();
    for (o_row, x_row) in out.chunks_exact_mut(w).zip(x.chunks_exact(w)) {
        for ((o, &a), &b) in o_row.iter_mut().zip(x_row).zip(bias) {
            *o = a + b;
        }
    }
}

/// LayerNorm of one row in place: (x − mean) / √(variance + eps) · g + b, the variance
/// being the plain (biased) mean of squared deviations. Sums are kept in f64.
fn layer_norm(row: &mut [f32], g: &[f32], b: &[f32], eps: f32) {
    let n = row.len() as f64;
    let mean = row.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = row
        .iter()
        .map(|&v| {
            let d = v as f64 - mean;
            d * d
        })
        .sum::<f64>()
        / n;
    let inv = 1.0 / (var + eps as f64).sqrt();
    let (mean, inv) = (mean as f32, inv as f32);
    for ((v, &g), &b) in row.iter_mut().zip(g).zip(b) {
        *v = (*v - mean) * inv * g + b;
    }
}

/// Softmax of one row in place (the maximum is subtracted first, so exp cannot
/// overflow).
fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0f32;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

/// The normal distribution function Φ(x) = (1 + erf(x/√2)) / 2 (a reference in tests).
#[cfg(test)]
fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x * std::f64::consts::FRAC_1_SQRT_2))
}

/// Exact GELU, x · Φ(x), computed directly (the reference for `gelu_all`).
#[cfg(test)]
fn gelu(x: f32) -> f32 {
    let x = x as f64;
    (x * normal_cdf(x)) as f32
}

/// Exact GELU, x · Φ(x) = x/2 · (1 + erf(x/√2)), over every value of `v`: the feed-
/// forward block applies it to 128 × 1536 values per layer for an article. erf is the
/// rational function of Eigen's `generic_fast_erf_float`, z · P(z²) / Q(z²) with z
/// clamped to [−4, 4], within 3.4e-7 of erf. It has no branch and no table, so the
/// compiler makes vector instructions of it: an article's vector took 29 ms with a
/// table of cubics in f64 and 24 ms with this (one core). The GELU is within 1.5e-6 of
/// the exact value for |x| ≤ 12 (`gelu_matches_the_direct_formula`), where a token's
/// inputs to the next product are then rounded to bfloat16 (a relative 2e-3).
fn gelu_all(v: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx512f") {
        // SAFETY: the processor has the feature the function is compiled for.
        unsafe { gelu_all_avx512(v) };
        return;
    }
    for x in v {
        *x = gelu_erf(*x);
    }
}

/// [`gelu_all`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn gelu_all_avx512(v: &mut [f32]) {
    for x in v {
        *x = gelu_erf(*x);
    }
}

/// One value of [`gelu_all`]. Plain products and sums (no `mul_add`, which is a call
/// to a software fma where the processor has none), written out, so that an
/// unoptimised build (tests) is not slowed either.
#[inline(always)]
#[allow(clippy::excessive_precision)]
fn gelu_erf(x: f32) -> f32 {
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).clamp(-4.0, 4.0);
    let z2 = z * z;
    let p = -2.72614225801306e-10;
    let p = p * z2 + 2.77068142495902e-08;
    let p = p * z2 - 2.10102402082508e-06;
    let p = p * z2 - 5.69250639462346e-05;
    let p = p * z2 - 7.34990630326855e-04;
    let p = p * z2 - 2.95459980854025e-03;
    let p = p * z2 - 1.60960333262415e-02;
    let q = -1.45660718464996e-05;
    let q = q * z2 - 2.13374055278905e-04;
    let q = q * z2 - 1.68282697438203e-03;
    let q = q * z2 - 7.37332916720468e-03;
    let q = q * z2 - 1.42647390514189e-02;
    0.5 * x * (1.0 + z * p / q)
}

/// The tanh approximation of GELU: x/2 · (1 + tanh(√(2/π) · (x + 0.044715·x³))).
#[inline]
fn gelu_tanh(x: f32) -> f32 {
    // √(2/π) = (2/√π) · (1/√2)
    const SQRT_2_OVER_PI: f32 = std::f32::consts::FRAC_2_SQRT_PI * std::f32::consts::FRAC_1_SQRT_2;
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)).tanh())
}

/// The error function, from W. J. Cody's rational Chebyshev approximations ("Rational
/// Chebyshev approximations for the error function", Mathematics of Computation 23,
/// 1969), as in his CALERF routine: a rational function of x² below 0.46875, and
/// erfc(x) = exp(−x²) · R(x) above, with R a rational function of x up to 4 and of 1/x²
/// beyond. The absolute error is below 1e-15 everywhere, far below f32 precision.
/// The coefficients are written as published (more digits than an f64 holds). The
/// reference for [`gelu_erf`] in tests.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
fn erf(x: f64) -> f64 {
    // |x| ≤ 0.46875: erf(x) = x · P(x²) / Q(x²).
    const A: [f64; 5] = [
        3.16112374387056560e00,
        1.13864154151050156e02,
        3.77485237685302021e02,
        3.20937758913846947e03,
        1.85777706184603153e-1,
    ];
    const B: [f64; 4] = [
        2.36012909523441209e01,
        2.44024637934444173e02,
        1.28261652607737228e03,
        2.84423683343917062e03,
    ];
    // 0.46875 < |x| ≤ 4: erfc(x) = exp(−x²) · P(x) / Q(x).
    const C: [f64; 9] = [
        5.64188496988670089e-1,
        8.88314979438837594e00,
        6.61191906371416295e01,
        2.98635138197400131e02,
        8.81952221241769090e02,
        1.71204761263407058e03,
        2.05107837782607147e03,
        1.23033935479799725e03,
        2.15311535474403846e-8,
    ];
    const D: [f64; 8] = [
        1.57449261107098347e01,
        1.17693950891312499e02,
        5.37181101862009858e02,
        1.62138957456669019e03,
        3.29079923573345963e03,
        4.36261909014324716e03,
        3.43936767414372164e03,
        1.23033935480374942e03,
    ];
    // |x| > 4: erfc(x) = exp(−x²)/|x| · (1/√π − 1/x² · P(1/x²) / Q(1/x²)).
    const P: [f64; 6] = [
        3.05326634961232344e-1,
        3.60344899949804439e-1,
        1.25781726111229246e-1,
        1.60837851487422766e-2,
        6.58749161529837803e-4,
        1.63153871373020978e-2,
    ];
    const Q: [f64; 5] = [
        2.56852019228982242e00,
        1.87295284992346725e00,
        5.27905102951428412e-1,
        6.05183413124413191e-2,
        2.33520497626869185e-3,
    ];
    const FRAC_1_SQRT_PI: f64 = 5.6418958354775628695e-1;

    let y = x.abs();
    if y.is_nan() {
        return x;
    }
    if y <= 0.46875 {
        let z = y * y;
        let mut num = A[4] * z;
        let mut den = z;
        for i in 0..3 {
            num = (num + A[i]) * z;
            den = (den + B[i]) * z;
        }
        return x * (num + A[3]) / (den + B[3]);
    }
    let erfc = if y <= 4.0 {
        let mut num = C[8] * y;
        let mut den = y;
        for i in 0..7 {
            num = (num + C[i]) * y;
            den = (den + D[i]) * y;
        }
        (num + C[7]) / (den + D[7]) * (-y * y).exp()
    } else if y < 6.0 {
        let z = 1.0 / (y * y);
        let mut num = P[5] * z;
        let mut den = z;
        for i in 0..4 {
            num = (num + P[i]) * z;
            den = (den + Q[i]) * z;
        }
        let r = z * (num + P[4]) / (den + Q[4]);
        (FRAC_1_SQRT_PI - r) / y * (-y * y).exp()
    } else {
        // erfc(6) < 2.2e-17: erf is ±1 to double precision.
        0.0
    };
    if x < 0.0 {
        erfc - 1.0
    } else {
        1.0 - erfc
    }
}

// ---------------------------------------------------------------------------------------
// Matrix products.

/// A read-only matrix inside a slice: element (r, c) is `data[r * rs + c * cs]`.
#[derive(Clone, Copy)]
struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a> View<'a> {
    fn new(data: &'a [f32], rows: usize, cols: usize, rs: usize, cs: usize) -> Self {
        assert!(
            fits(data.len(), rows, cols, rs, cs),
            "matrix view out of bounds"
        );
        View {
            data,
            rows,
            cols,
            rs,
            cs,
        }
    }
}

/// A writable matrix inside a slice, laid out as `View`.
struct ViewMut<'a> {
    data: &'a mut [f32],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a> ViewMut<'a> {
    fn new(data: &'a mut [f32], rows: usize, cols: usize, rs: usize, cs: usize) -> Self {
        assert!(
            fits(data.len(), rows, cols, rs, cs),
            "matrix view out of bounds"
        );
        ViewMut {
            data,
            rows,
            cols,
            rs,
            cs,
        }
    }
}

/// Whether every element of a rows × cols matrix with the given strides lies within a
/// slice of `len` values.
fn fits(len: usize, rows: usize, cols: usize, rs: usize, cs: usize) -> bool {
    if rows == 0 || cols == 0 {
        return true;
    }
    let last = (rows - 1)
        .checked_mul(rs)
        .and_then(|a| (cols - 1).checked_mul(cs).and_then(|b| a.checked_add(b)));
    matches!(last, Some(last) if last < len)
        && rs <= isize::MAX as usize
        && cs <= isize::MAX as usize
}

/// Whether this build multiplies by weights packed in bfloat16 pairs ([`pairs_add`]),
/// at any number of rows: a query's 1.6 ms rather than 3.9 with the first [`rows_add`]
/// (four rows of weights at a time, each token in turn), and an
/// article's 128 word pieces in less time than sgemm takes in 32-bit floats. Not in an
/// unoptimised build (tests), where this crate's loops run some hundred times slower
/// and the optimised sgemm is faster at any size.
const PAIRS: bool = !cfg!(debug_assertions);

/// Up to this many rows, without packed pairs, [`dense_add`] streams the weights once
/// rather than calling sgemm: the 416 judged queries took 4.7 ms each rather than 8.6
/// (one core), and 3.9 rather than 6.5 on a later, slower machine once the tokens'
/// sums stayed in registers. Not in an unoptimised build, as for [`PAIRS`].
const FEW_ROWS: usize = if cfg!(debug_assertions) { 0 } else { 24 };

/// y (n × out) += x (n × inp) · w, all row-major, w being a weight matrix kept as
/// [inp, out] (the transpose of the file's [out, inp]).
fn dense_add(x: &[f32], n: usize, inp: usize, w: &Weight, out: usize, y: &mut [f32]) {
    match &w.half {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Pairs` is made only where the processor has AVX512-BF16
        // (`Weight::new`), with inp even and out a multiple of 16.
        Half::Pairs(packed) if PAIRS => unsafe { pairs_add(x, n, inp, packed, out, y) },
        // A query's few tokens: each row of w is read once, from memory, and added to
        // every token's output (sgemm would first copy all of w into its own layout,
        // which costs more than the product itself at this size).
        Half::Rows(half) if n <= FEW_ROWS => few_rows_add(x, n, inp, half, out, y),
        _ => gemm(
            1.0,
            View::new(x, n, inp, inp, 1),
            View::new(&w.full, inp, out, out, 1),
            1.0,
            ViewMut::new(y, n, out, out, 1),
        ),
    }
}

/// [`rows_add`] compiled for the widest vectors the processor has.
fn few_rows_add(x: &[f32], n: usize, inp: usize, w: &[u16], out: usize, y: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
    {
        // SAFETY: the processor has the features the function is compiled for.
        unsafe { rows_add_avx512(x, n, inp, w, out, y) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        // SAFETY: the processor has the features the function is compiled for.
        unsafe { rows_add_avx2(x, n, inp, w, out, y) };
        return;
    }
    rows_add(x, n, inp, w, out, y);
}

/// Tokens whose sums [`rows_add`] keeps in registers at once: twelve vectors of sums,
/// the weights and the token's input take 14 of AVX2's 16.
const TOKENS: usize = 12;

/// [`dense_add`] for a few rows: y (n × out) += x (n × inp) · w, with w in bfloat16
/// laid out by [`pack_blocks`]. For each block of [`BLOCK`] outputs, up to [`TOKENS`]
/// tokens' sums stay in registers over all the inputs: each weight is read and widened
/// to 32 bits once for those tokens (a query has fewer), and y is read and written once.
/// The products are added in the inputs' order, as sgemm's reference loop adds them.
#[inline(always)]
fn rows_add(x: &[f32], n: usize, inp: usize, w: &[u16], out: usize, y: &mut [f32]) {
    assert!(x.len() >= n * inp && w.len() >= out.div_ceil(BLOCK) * inp * BLOCK);
    assert!(y.len() >= n * out);
    macro_rules! tokens {
        ($t0:expr, $m:expr, $($k:literal)*) => {
            match $m {
                $($k => rows_block::<$k>(&x[$t0 * inp..], inp, w, out, &mut y[$t0 * out..]),)*
                _ => unreachable!("at most TOKENS tokens at once"),
            }
        };
    }
    for t0 in (0..n).step_by(TOKENS) {
        tokens!(t0, (n - t0).min(TOKENS), 1 2 3 4 5 6 7 8 9 10 11 12);
    }
}

/// [`rows_add`] for `N` tokens: x holds their N rows of `inp`, y their N rows of `out`.
#[inline(always)]
fn rows_block<const N: usize>(x: &[f32], inp: usize, w: &[u16], out: usize, y: &mut [f32]) {
    // The tokens' inputs side by side, input by input.
    let mut xt = vec![[0f32; N]; inp];
    for (t, row) in x.chunks_exact(inp).take(N).enumerate() {
        for (xk, &v) in xt.iter_mut().zip(row) {
            xk[t] = v;
        }
    }
    let blocks = w.chunks_exact(inp * BLOCK).take(out.div_ceil(BLOCK));
    for (b, wb) in blocks.enumerate() {
        let c = b * BLOCK;
        let width = (out - c).min(BLOCK);
        let mut acc = [[0f32; BLOCK]; N];
        for (t, a) in acc.iter_mut().enumerate() {
            a[..width].copy_from_slice(&y[t * out + c..t * out + c + width]);
        }
        for (wk, xk) in wb.as_chunks::<BLOCK>().0.iter().zip(&xt) {
            let wv: [f32; BLOCK] = std::array::from_fn(|j| f32::from_bits(u32::from(wk[j]) << 16));
            for (a, &xv) in acc.iter_mut().zip(xk) {
                for (s, &wj) in a.iter_mut().zip(&wv) {
                    *s = xv.mul_add(wj, *s);
                }
            }
        }
        for (t, a) in acc.iter().enumerate() {
            y[t * out + c..t * out + c + width].copy_from_slice(&a[..width]);
        }
    }
}

/// [`rows_add`] compiled for AVX2 and FMA, which most x86 processors have (the
/// build's baseline does not assume them).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn rows_add_avx2(x: &[f32], n: usize, inp: usize, w: &[u16], out: usize, y: &mut [f32]) {
    rows_add(x, n, inp, w, out, y)
}

/// [`rows_add`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn rows_add_avx512(x: &[f32], n: usize, inp: usize, w: &[u16], out: usize, y: &mut [f32]) {
    rows_add(x, n, inp, w, out, y)
}

/// [`dense_add`] where the processor multiplies bfloat16 pairs itself (any number of rows):
/// y (n × out) += x (n × inp) · w, with w packed by [`pack_pairs`] and each token's
/// inputs rounded to bfloat16 too. For each block of 16 outputs, up to 16 tokens' sums
/// stay in registers over all the inputs, so w is read once per 16 tokens (a query has
/// fewer) and y once. One instruction adds two inputs' products for 16 outputs.
///
/// # Safety
/// The processor must have AVX-512F and AVX512-BF16; inp must be even and out a
/// multiple of 16, w the packed [inp, out] matrix.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bf16")]
unsafe fn pairs_add(x: &[f32], n: usize, inp: usize, w: &[u16], out: usize, y: &mut [f32]) {
    assert!(inp.is_multiple_of(2) && out.is_multiple_of(16));
    assert!(x.len() >= n * inp && w.len() >= inp * out && y.len() >= n * out);
    // The tokens' inputs in bfloat16, in order: two adjacent inputs make one u32.
    let x = &x[..n * inp];
    let mut xh = vec![0u32; n * inp / 2];
    let whole = x.len() - x.len() % 16;
    for (src, dst) in x[..whole].chunks_exact(16).zip(xh.chunks_exact_mut(8)) {
        use std::arch::x86_64::*;
        // SAFETY: 16 f32 read, 16 bfloat16 (8 u32) written; rounded to nearest even
        // as `bf16` does.
        unsafe {
            let h = _mm512_cvtneps_pbh(_mm512_loadu_ps(src.as_ptr()));
            _mm256_storeu_si256(
                dst.as_mut_ptr().cast(),
                std::mem::transmute::<__m256bh, __m256i>(h),
            );
        }
    }
    for (p, d) in x[whole..].chunks_exact(2).zip(&mut xh[whole / 2..]) {
        *d = u32::from(bf16(p[0])) | (u32::from(bf16(p[1])) << 16);
    }
    let mut t0 = 0;
    while t0 < n {
        let take = (n - t0).min(16);
        let xs = &xh[t0 * inp / 2..(t0 + take) * inp / 2];
        let ys = &mut y[t0 * out..(t0 + take) * out];
        macro_rules! blocks {
            ($($k:literal)*) => {
                match take {
                    // SAFETY: the caller's guarantees, and the slices hold `take` tokens.
                    $($k => unsafe { pairs_block::<$k>(xs, inp / 2, w, out, ys) },)*
                    _ => unreachable!("at most 16 tokens at a time"),
                }
            };
        }
        blocks!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
        t0 += take;
    }
}

/// [`pairs_add`] for N tokens: `x` holds their inputs as bfloat16 pairs (N × pairs),
/// `y` their outputs (N × out).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bf16")]
unsafe fn pairs_block<const N: usize>(
    x: &[u32],
    pairs: usize,
    w: &[u16],
    out: usize,
    y: &mut [f32],
) {
    use std::arch::x86_64::*;
    assert!(x.len() == N * pairs && y.len() == N * out && w.len() >= pairs * 2 * out);
    for c in 0..out / 16 {
        let block = &w[c * pairs * 32..(c + 1) * pairs * 32];
        let mut acc = [_mm512_setzero_ps(); N];
        for (t, a) in acc.iter_mut().enumerate() {
            // SAFETY: y holds N rows of `out`, and c · 16 + 16 ≤ out.
            *a = unsafe { _mm512_loadu_ps(y.as_ptr().add(t * out + c * 16)) };
        }
        for (k, wk) in block.chunks_exact(32).enumerate() {
            // SAFETY: wk holds 32 u16, 64 bytes.
            let wv: __m512bh =
                unsafe { std::mem::transmute(_mm512_loadu_si512(wk.as_ptr().cast())) };
            for (t, a) in acc.iter_mut().enumerate() {
                let xv: __m512bh =
                    unsafe { std::mem::transmute(_mm512_set1_epi32(x[t * pairs + k] as i32)) };
                *a = _mm512_dpbf16_ps(*a, xv, wv);
            }
        }
        for (t, a) in acc.iter().enumerate() {
            // SAFETY: as for the load.
            unsafe { _mm512_storeu_ps(y.as_mut_ptr().add(t * out + c * 16), *a) };
        }
    }
}

/// C = alpha · A · B + beta · C. With beta = 0 the old contents of C are ignored.
fn gemm(alpha: f32, a: View, b: View, beta: f32, c: ViewMut) {
    assert!(
        a.cols == b.rows && a.rows == c.rows && b.cols == c.cols,
        "matrix shapes do not match"
    );
    // SAFETY: the views' constructors checked that every element addressed through
    // each pointer and its strides lies within its slice; the shapes agree (checked
    // above); C is borrowed mutably, so it cannot overlap A or B.
    unsafe {
        matrixmultiply::sgemm(
            a.rows,
            a.cols,
            b.cols,
            alpha,
            a.data.as_ptr(),
            a.rs as isize,
            a.cs as isize,
            b.data.as_ptr(),
            b.rs as isize,
            b.cs as isize,
            beta,
            c.data.as_mut_ptr(),
            c.rs as isize,
            c.cs as isize,
        );
    }
}

// ---------------------------------------------------------------------------------------
// The configuration file.

/// What `config.json` says about the model's shape.
struct Config {
    hidden: usize,
    layers: usize,
    heads: usize,
    intermediate: usize,
    vocab: usize,
    max_positions: usize,
    type_vocab: usize,
    eps: f32,
    act: Activation,
}

impl Config {
    fn read(path: &Path) -> Result<Config, String> {
        let shown = path.display();
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let json: Value =
            serde_json::from_str(&text).map_err(|e| format!("{shown}: not valid JSON: {e}"))?;
        if !json.is_object() {
            return Err(format!("{shown}: not a JSON object"));
        }
        // A whole number ≥ 1; `default` is used when the key is absent.
        let count = |key: &str, default: Option<usize>| -> Result<usize, String> {
            match json.get(key) {
                None | Some(Value::Null) => {
                    default.ok_or_else(|| format!("{shown}: `{key}` is missing"))
                }
                Some(v) => v
                    .as_u64()
                    .and_then(|v| usize::try_from(v).ok())
                    .filter(|&v| v >= 1)
                    .ok_or_else(|| format!("{shown}: `{key}` is not a whole number ≥ 1: {v}")),
            }
        };
        let hidden = count("hidden_size", None)?;
        let heads = count("num_attention_heads", None)?;
        if hidden % heads != 0 {
            return Err(format!(
                "{shown}: hidden_size {hidden} is not a multiple of num_attention_heads {heads}"
            ));
        }
        let eps = match json.get("layer_norm_eps") {
            None | Some(Value::Null) => 1e-12,
            Some(v) => match v.as_f64() {
                Some(e) if e > 0.0 && e.is_finite() => e as f32,
                _ => {
                    return Err(format!(
                        "{shown}: `layer_norm_eps` is not a positive number: {v}"
                    ))
                }
            },
        };
        let act = match json
            .get("hidden_act")
            .and_then(Value::as_str)
            .unwrap_or("gelu")
        {
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" => Activation::GeluTanh,
            other => return Err(format!("{shown}: unsupported hidden_act `{other}`")),
        };
        match json.get("position_embedding_type").and_then(Value::as_str) {
            None | Some("absolute") => {}
            Some(other) => {
                return Err(format!(
                    "{shown}: unsupported position_embedding_type `{other}` (only absolute)"
                ))
            }
        }
        Ok(Config {
            hidden,
            layers: count("num_hidden_layers", None)?,
            heads,
            intermediate: count("intermediate_size", None)?,
            vocab: count("vocab_size", None)?,
            max_positions: count("max_position_embeddings", None)?,
            type_vocab: count("type_vocab_size", Some(2))?,
            eps,
            act,
        })
    }
}

// ---------------------------------------------------------------------------------------
// The weights file.

/// Where one tensor lies in the weights file and what it holds.
struct TensorInfo {
    dtype: String,
    shape: Vec<usize>,
    /// Byte range within the data section (which starts right after the header).
    begin: u64,
    end: u64,
}

/// An open safetensors file whose header has been read and checked: every tensor's
/// byte range lies within the file.
struct SafeTensors {
    path: PathBuf,
    file: File,
    /// Offset in the file where the data section starts (8 + header length).
    data_start: u64,
    tensors: HashMap<String, TensorInfo>,
}

impl SafeTensors {
    fn open(path: &Path) -> Result<SafeTensors, String> {
        let shown = path.display();
        let damaged = |what: String| format!("{shown}: {what}; the file is truncated or damaged");
        let mut file = File::open(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
        let file_len = file
            .metadata()
            .map_err(|e| format!("cannot read {shown}: {e}"))?
            .len();
        if file_len < 8 {
            return Err(damaged(format!(
                "{file_len} bytes is too short for a safetensors file"
            )));
        }
        let mut len_bytes = [0u8; 8];
        file.read_exact(&mut len_bytes)
            .map_err(|e| format!("cannot read {shown}: {e}"))?;
        let header_len = u64::from_le_bytes(len_bytes);
        if header_len > file_len - 8 {
            return Err(damaged(format!(
                "the header length {header_len} runs past the end of the file ({file_len} bytes)"
            )));
        }
        // Bounded by the file's length, checked just above.
        let mut header = vec![0u8; header_len as usize];
        file.read_exact(&mut header)
            .map_err(|e| format!("cannot read {shown}: {e}"))?;
        let json: Value = serde_json::from_slice(&header)
            .map_err(|e| damaged(format!("the header is not valid JSON ({e})")))?;
        let Value::Object(entries) = json else {
            return Err(damaged("the header is not a JSON object".to_string()));
        };
        let data_start = 8 + header_len;
        let data_len = file_len - data_start;

        let mut tensors = HashMap::new();
        for (name, entry) in entries {
            if name == "__metadata__" {
                continue;
            }
            let bad = |what: &str| damaged(format!("tensor `{name}` in the header {what}"));
            let dtype = entry
                .get("dtype")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("has no dtype"))?
                .to_string();
            let shape = entry
                .get("shape")
                .and_then(Value::as_array)
                .and_then(|dims| {
                    dims.iter()
                        .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                        .collect::<Option<Vec<usize>>>()
                })
                .ok_or_else(|| bad("has no valid shape"))?;
            let offsets = entry
                .get("data_offsets")
                .and_then(Value::as_array)
                .filter(|o| o.len() == 2)
                .and_then(|o| Some((o[0].as_u64()?, o[1].as_u64()?)))
                .ok_or_else(|| bad("has no valid data_offsets"))?;
            let (begin, end) = offsets;
            if begin > end || end > data_len {
                return Err(damaged(format!(
                    "tensor `{name}` has data offsets [{begin}, {end}] outside the {data_len} bytes of data"
                )));
            }
            tensors.insert(
                name,
                TensorInfo {
                    dtype,
                    shape,
                    begin,
                    end,
                },
            );
        }
        Ok(SafeTensors {
            path: path.to_path_buf(),
            file,
            data_start,
            tensors,
        })
    }

    /// Reads tensor `name` (or `bert.` + `name`), which must be F32 of shape `shape`.
    fn read(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        // The product cannot overflow: `check` already compared it against the file.
        let (full, info) = self.check(name, shape)?;
        let mut out = vec![0f32; ((info.end - info.begin) / 4) as usize];
        self.read_data(&full, &mut out)?;
        Ok(out)
    }

    /// Finds tensor `name` (also under the prefix `bert.`) and checks its dtype, shape
    /// and size. Returns its full name and a copy of its entry.
    fn check(&self, name: &str, shape: &[usize]) -> Result<(String, TensorInfo), String> {
        let shown = self.path.display();
        let prefixed = format!("bert.{name}");
        let (full, info) = match self.tensors.get(name) {
            Some(info) => (name.to_string(), info),
            None => match self.tensors.get(&prefixed) {
                Some(info) => (prefixed, info),
                None => return Err(format!("{shown}: tensor `{name}` is missing")),
            },
        };
        if info.dtype != "F32" {
            return Err(format!(
                "{shown}: tensor `{full}` has dtype {}; only F32 is supported",
                info.dtype
            ));
        }
        if info.shape != shape {
            return Err(format!(
                "{shown}: tensor `{full}` has shape {:?}; expected {:?}",
                info.shape, shape
            ));
        }
        let want = shape
            .iter()
            .try_fold(4u64, |acc, &d| acc.checked_mul(d as u64));
        if want != Some(info.end - info.begin) {
            return Err(format!(
                "{shown}: tensor `{full}` holds {} bytes, which does not match F32 of shape {:?}; the file is damaged",
                info.end - info.begin,
                shape
            ));
        }
        let copy = TensorInfo {
            dtype: info.dtype.clone(),
            shape: info.shape.clone(),
            begin: info.begin,
            end: info.end,
        };
        Ok((full, copy))
    }

    /// Reads the data of tensor `full` (already checked) into `out`, converting from
    /// little-endian bytes a block at a time.
    fn read_data(&mut self, full: &str, out: &mut [f32]) -> Result<(), String> {
        let begin = self.tensors[full].begin;
        let shown = self.path.display();
        let fail = |e: std::io::Error| format!("cannot read tensor `{full}` from {shown}: {e}");
        self.file
            .seek(SeekFrom::Start(self.data_start + begin))
            .map_err(fail)?;
        let mut buf = vec![0u8; 1 << 16];
        for chunk in out.chunks_mut(buf.len() / 4) {
            let bytes = &mut buf[..chunk.len() * 4];
            self.file.read_exact(bytes).map_err(fail)?;
            for (v, b) in chunk.iter_mut().zip(bytes.chunks_exact(4)) {
                *v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tiny model's shape.
    const H: usize = 8;
    const HEADS: usize = 2;
    const I: usize = 16;
    const VOCAB: usize = 10;
    const MAXPOS: usize = 16;

    /// A small deterministic pseudo-random generator (values in [-0.5, 0.5)).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f32 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        }
    }

    /// The tensors of a random one-layer model: name, shape, values.
    fn tiny_tensors() -> Vec<(String, Vec<usize>, Vec<f32>)> {
        let mut rng = Lcg(42);
        let mut t = Vec::new();
        let mut add = |name: &str, shape: Vec<usize>, scale: f32, offset: f32| {
            let n: usize = shape.iter().product();
            let v = (0..n).map(|_| rng.next() * scale + offset).collect();
            t.push((name.to_string(), shape, v));
        };
        add(
            "embeddings.word_embeddings.weight",
            vec![VOCAB, H],
            1.0,
            0.0,
        );
        add(
            "embeddings.position_embeddings.weight",
            vec![MAXPOS, H],
            1.0,
            0.0,
        );
        add(
            "embeddings.token_type_embeddings.weight",
            vec![2, H],
            1.0,
            0.0,
        );
        add("embeddings.LayerNorm.weight", vec![H], 0.2, 1.0);
        add("embeddings.LayerNorm.bias", vec![H], 0.2, 0.0);
        let p = "encoder.layer.0.";
        for part in ["query", "key", "value"] {
            add(
                &format!("{p}attention.self.{part}.weight"),
                vec![H, H],
                1.0,
                0.0,
            );
            add(&format!("{p}attention.self.{part}.bias"), vec![H], 0.2, 0.0);
        }
        add(
            &format!("{p}attention.output.dense.weight"),
            vec![H, H],
            1.0,
            0.0,
        );
        add(
            &format!("{p}attention.output.dense.bias"),
            vec![H],
            0.2,
            0.0,
        );
        add(
            &format!("{p}attention.output.LayerNorm.weight"),
            vec![H],
            0.2,
            1.0,
        );
        add(
            &format!("{p}attention.output.LayerNorm.bias"),
            vec![H],
            0.2,
            0.0,
        );
        add(
            &format!("{p}intermediate.dense.weight"),
            vec![I, H],
            1.0,
            0.0,
        );
        add(&format!("{p}intermediate.dense.bias"), vec![I], 0.2, 0.0);
        add(&format!("{p}output.dense.weight"), vec![H, I], 1.0, 0.0);
        add(&format!("{p}output.dense.bias"), vec![H], 0.2, 0.0);
        add(&format!("{p}output.LayerNorm.weight"), vec![H], 0.2, 1.0);
        add(&format!("{p}output.LayerNorm.bias"), vec![H], 0.2, 0.0);
        t
    }

    /// Writes tensors as a safetensors file (all F32 unless `dtype_of` says otherwise).
    fn write_safetensors(
        path: &Path,
        tensors: &[(String, Vec<usize>, Vec<f32>)],
        dtype_of: &dyn Fn(&str) -> &'static str,
    ) {
        let mut header = serde_json::Map::new();
        header.insert("__metadata__".into(), serde_json::json!({"format": "pt"}));
        let mut data = Vec::new();
        for (name, shape, values) in tensors {
            let begin = data.len();
            for v in values {
                data.extend_from_slice(&v.to_le_bytes());
            }
            header.insert(
                name.clone(),
                serde_json::json!({
                    "dtype": dtype_of(name),
                    "shape": shape,
                    "data_offsets": [begin, data.len()],
                }),
            );
        }
        let mut header = serde_json::to_vec(&Value::Object(header)).unwrap();
        while !header.len().is_multiple_of(8) {
            header.push(b' ');
        }
        let mut file = (header.len() as u64).to_le_bytes().to_vec();
        file.extend_from_slice(&header);
        file.extend_from_slice(&data);
        std::fs::write(path, file).unwrap();
    }

    fn write_config(dir: &Path) {
        let config = serde_json::json!({
            "hidden_size": H, "num_hidden_layers": 1, "num_attention_heads": HEADS,
            "intermediate_size": I, "vocab_size": VOCAB, "max_position_embeddings": MAXPOS,
            "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu",
            "position_embedding_type": "absolute",
        });
        std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    }

    /// A folder holding the tiny model.
    fn tiny_model() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write_config(dir.path());
        write_safetensors(
            &dir.path().join("model.safetensors"),
            &tiny_tensors(),
            &|_| "F32",
        );
        dir
    }

    /// A plain, loop-by-loop forward pass of the tiny model, written independently of
    /// the strided matrix products, to check them.
    fn naive_embed(ids: &[usize]) -> Vec<f32> {
        let w: HashMap<String, Vec<f32>> =
            tiny_tensors().into_iter().map(|(n, _, v)| (n, v)).collect();
        let g = |n: &str| &w[n];
        let ln = |x: &[f32], gn: &str, bn: &str| -> Vec<f32> {
            let m = x.iter().sum::<f32>() / x.len() as f32;
            let v = x.iter().map(|a| (a - m) * (a - m)).sum::<f32>() / x.len() as f32;
            (0..x.len())
                .map(|j| (x[j] - m) / (v + 1e-12).sqrt() * g(gn)[j] + g(bn)[j])
                .collect()
        };
        // y = W x + b for W stored [out, in].
        let dense = |x: &[f32], wn: &str, bn: &str| -> Vec<f32> {
            let b = g(bn);
            (0..b.len())
                .map(|o| {
                    b[o] + (0..x.len())
                        .map(|k| g(wn)[o * x.len() + k] * x[k])
                        .sum::<f32>()
                })
                .collect()
        };
        let n = ids.len();
        let mut x: Vec<Vec<f32>> = (0..n)
            .map(|t| {
                let e: Vec<f32> = (0..H)
                    .map(|j| {
                        g("embeddings.word_embeddings.weight")[ids[t] * H + j]
                            + g("embeddings.position_embeddings.weight")[t * H + j]
                            + g("embeddings.token_type_embeddings.weight")[j]
                    })
                    .collect();
                ln(
                    &e,
                    "embeddings.LayerNorm.weight",
                    "embeddings.LayerNorm.bias",
                )
            })
            .collect();
        let p = "encoder.layer.0.";
        let f = |s: &str| format!("{p}{s}");
        let proj = |x: &Vec<Vec<f32>>, part: &str| -> Vec<Vec<f32>> {
            x.iter()
                .map(|r| {
                    dense(
                        r,
                        &f(&format!("attention.self.{part}.weight")),
                        &f(&format!("attention.self.{part}.bias")),
                    )
                })
                .collect()
        };
        let (q, k, v) = (proj(&x, "query"), proj(&x, "key"), proj(&x, "value"));
        let d = H / HEADS;
        let mut ctx = vec![vec![0f32; H]; n];
        for hd in 0..HEADS {
            for t in 0..n {
                let s: Vec<f32> = (0..n)
                    .map(|u| {
                        (0..d)
                            .map(|a| q[t][hd * d + a] * k[u][hd * d + a])
                            .sum::<f32>()
                            / (d as f32).sqrt()
                    })
                    .collect();
                let m = s.iter().cloned().fold(f32::MIN, f32::max);
                let e: Vec<f32> = s.iter().map(|a| (a - m).exp()).collect();
                let z: f32 = e.iter().sum();
                for a in 0..d {
                    ctx[t][hd * d + a] = (0..n).map(|u| e[u] / z * v[u][hd * d + a]).sum();
                }
            }
        }
        for t in 0..n {
            let o = dense(
                &ctx[t],
                &f("attention.output.dense.weight"),
                &f("attention.output.dense.bias"),
            );
            let r: Vec<f32> = (0..H).map(|j| x[t][j] + o[j]).collect();
            x[t] = ln(
                &r,
                &f("attention.output.LayerNorm.weight"),
                &f("attention.output.LayerNorm.bias"),
            );
            let hmid: Vec<f32> = dense(
                &x[t],
                &f("intermediate.dense.weight"),
                &f("intermediate.dense.bias"),
            )
            .into_iter()
            .map(|a| 0.5 * a * (1.0 + erf(a as f64 / 2f64.sqrt()) as f32))
            .collect();
            let o = dense(&hmid, &f("output.dense.weight"), &f("output.dense.bias"));
            let r: Vec<f32> = (0..H).map(|j| x[t][j] + o[j]).collect();
            x[t] = ln(
                &r,
                &f("output.LayerNorm.weight"),
                &f("output.LayerNorm.bias"),
            );
        }
        let mean: Vec<f32> = (0..H)
            .map(|j| x.iter().map(|r| r[j]).sum::<f32>() / n as f32)
            .collect();
        let norm = mean.iter().map(|a| a * a).sum::<f32>().sqrt();
        mean.iter().map(|a| a / norm).collect()
    }

    fn norm(v: &[f32]) -> f32 {
        v.iter().map(|a| a * a).sum::<f32>().sqrt()
    }

    #[test]
    fn a_few_rows_multiply_as_sgemm_does_within_bfloat16() {
        let mut rng = Lcg(7);
        // Odd sizes reach the rows past the last group of four.
        for (inp, out) in [(13, 7), (16, 24)] {
            let w = Weight::new((0..inp * out).map(|_| rng.next()).collect(), inp, out);
            let half = pack_blocks(&w.full, inp, out);
            let rounded: Vec<f32> = w
                .full
                .iter()
                .map(|&v| f32::from_bits(u32::from(bf16(v)) << 16))
                .collect();
            for n in [1, 3, 12, 13, 24, 25, 40] {
                let x: Vec<f32> = (0..n * inp).map(|_| rng.next()).collect();
                let bias: Vec<f32> = (0..n * out).map(|_| rng.next()).collect();
                let mut got = bias.clone();
                let few = n <= 24;
                if few {
                    few_rows_add(&x, n, inp, &half, out, &mut got);
                } else {
                    dense_add(&x, n, inp, &w, out, &mut got);
                }
                let mut want = bias.clone();
                gemm(
                    1.0,
                    View::new(&x, n, inp, inp, 1),
                    View::new(&w.full, inp, out, out, 1),
                    1.0,
                    ViewMut::new(&mut want, n, out, out, 1),
                );
                // bfloat16 keeps 8 bits of each weight: a relative error of 2^-9 at
                // most, summed over `inp` products of values below 0.5.
                let tol = if !few {
                    1e-5
                } else {
                    inp as f32 * 0.25 / 256.0
                };
                for (a, b) in got.iter().zip(&want) {
                    assert!((a - b).abs() <= tol, "n {n}: {a} vs {b}");
                }
                if few {
                    // And exactly the product with the rounded weights.
                    let mut exact = bias.clone();
                    gemm(
                        1.0,
                        View::new(&x, n, inp, inp, 1),
                        View::new(&rounded, inp, out, out, 1),
                        1.0,
                        ViewMut::new(&mut exact, n, out, out, 1),
                    );
                    for (a, b) in got.iter().zip(&exact) {
                        assert!((a - b).abs() <= 1e-5, "n {n}: {a} vs {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn pairs_of_bfloat16_multiply_as_sgemm_does_on_the_rounded_values() {
        if !has_bf16_pairs() {
            eprintln!("skipped: this processor has no AVX512-BF16");
            return;
        }
        let mut rng = Lcg(11);
        let round = |v: f32| f32::from_bits(u32::from(bf16(v)) << 16);
        // Every number of tokens a block takes, and more than one block.
        for (inp, out) in [(2, 16), (14, 32), (96, 48)] {
            let full: Vec<f32> = (0..inp * out).map(|_| rng.next()).collect();
            let w = Weight::new(full.clone(), inp, out);
            let Half::Pairs(packed) = &w.half else {
                panic!("not packed in pairs")
            };
            let rounded_w: Vec<f32> = full.iter().map(|&v| round(v)).collect();
            for n in [1, 2, 3, 5, 8, 15, 16, 17, 24] {
                let x: Vec<f32> = (0..n * inp).map(|_| rng.next()).collect();
                let bias: Vec<f32> = (0..n * out).map(|_| rng.next()).collect();
                let mut got = bias.clone();
                // SAFETY: checked above that the processor has the features.
                unsafe { pairs_add(&x, n, inp, packed, out, &mut got) };
                let rounded_x: Vec<f32> = x.iter().map(|&v| round(v)).collect();
                let mut want = bias.clone();
                gemm(
                    1.0,
                    View::new(&rounded_x, n, inp, inp, 1),
                    View::new(&rounded_w, inp, out, out, 1),
                    1.0,
                    ViewMut::new(&mut want, n, out, out, 1),
                );
                // The products of bfloat16 values are exact in f32; only the order
                // of the sums differs.
                for (a, b) in got.iter().zip(&want) {
                    assert!(
                        (a - b).abs() <= 1e-5 * inp as f32,
                        "{inp}×{out}, n {n}: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn bfloat16_rounds_to_nearest_even() {
        assert_eq!(bf16(1.0), 0x3f80);
        // 1 + 2^-8 lies halfway between 1 and the next bfloat16: ties go to even (1).
        assert_eq!(bf16(1.0 + 1.0 / 256.0), 0x3f80);
        // 1 + 3·2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6: up to even.
        assert_eq!(bf16(1.0 + 3.0 / 256.0), 0x3f82);
        assert_eq!(bf16(-2.0), 0xc000);
        assert!(f32::from_bits(u32::from(bf16(f32::NAN)) << 16).is_nan());
    }

    #[test]
    fn embeds_a_unit_vector_matching_a_plain_forward_pass() {
        let dir = tiny_model();
        let bert = Bert::load(dir.path()).unwrap();
        assert_eq!(bert.dim(), H);
        for ids in [
            vec![1u32, 5, 7, 2],
            vec![3],
            (0..MAXPOS as u32).map(|i| i % 10).collect(),
        ] {
            let e = bert.embed(&ids);
            assert_eq!(e.len(), H);
            assert!((norm(&e) - 1.0).abs() < 1e-5, "norm {}", norm(&e));
            let want = naive_embed(&ids.iter().map(|&i| i as usize).collect::<Vec<_>>());
            if ids.len() > FEW_ROWS {
                for (a, b) in e.iter().zip(&want) {
                    assert!((a - b).abs() < 1e-4, "{e:?} vs {want:?}");
                }
            } else {
                // A few tokens are multiplied by the weights rounded to bfloat16.
                let cos: f32 = e.iter().zip(&want).map(|(a, b)| a * b).sum();
                assert!(cos > 0.9999, "cosine {cos}: {e:?} vs {want:?}");
                for (a, b) in e.iter().zip(&want) {
                    assert!((a - b).abs() < 1e-2, "{e:?} vs {want:?}");
                }
            }
        }
        // No ids: the zero vector.
        assert_eq!(bert.embed(&[]), vec![0.0; H]);
    }

    #[test]
    fn out_of_vocabulary_and_overlong_input_do_not_panic() {
        let dir = tiny_model();
        let bert = Bert::load(dir.path()).unwrap();
        // The tiny vocabulary has no id 100, so unknown ids read as id 0.
        let e = bert.embed(&[1, 999, u32::MAX, 2]);
        assert!((norm(&e) - 1.0).abs() < 1e-5);
        assert_eq!(e, bert.embed(&[1, 0, 0, 2]));
        // Longer than the model's positions: cut to the first MAXPOS ids.
        let long: Vec<u32> = (0..40).map(|i| i % 10).collect();
        assert_eq!(bert.embed(&long), bert.embed(&long[..MAXPOS]));
    }

    #[test]
    fn can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Bert>();
        let dir = tiny_model();
        let bert = Bert::load(dir.path()).unwrap();
        let want = bert.embed(&[1, 2, 3]);
        std::thread::scope(|s| {
            let a = s.spawn(|| bert.embed(&[1, 2, 3]));
            let b = s.spawn(|| bert.embed(&[1, 2, 3]));
            assert_eq!(a.join().unwrap(), want);
            assert_eq!(b.join().unwrap(), want);
        });
    }

    #[test]
    fn accepts_names_with_the_bert_prefix() {
        let dir = tempfile::tempdir().unwrap();
        write_config(dir.path());
        let tensors: Vec<_> = tiny_tensors()
            .into_iter()
            .map(|(n, s, v)| (format!("bert.{n}"), s, v))
            .collect();
        write_safetensors(&dir.path().join("model.safetensors"), &tensors, &|_| "F32");
        let bert = Bert::load(dir.path()).unwrap();
        let plain = Bert::load(tiny_model().path()).unwrap();
        assert_eq!(bert.embed(&[1, 4, 2]), plain.embed(&[1, 4, 2]));
    }

    #[test]
    fn truncated_file_is_an_error_naming_it() {
        let dir = tiny_model();
        let path = dir.path().join("model.safetensors");
        let bytes = std::fs::read(&path).unwrap();
        // Cut in the data, in the header, and inside the length field.
        for cut in [bytes.len() - 10, 100, 5] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            let err = Bert::load(dir.path()).unwrap_err();
            assert!(err.contains("model.safetensors"), "{err}");
            assert!(err.contains("truncated or damaged"), "{err}");
        }
    }

    #[test]
    fn header_length_past_the_end_is_an_error() {
        let dir = tiny_model();
        let path = dir.path().join("model.safetensors");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let err = Bert::load(dir.path()).unwrap_err();
        assert!(
            err.contains("model.safetensors") && err.contains("header length"),
            "{err}"
        );
    }

    #[test]
    fn missing_tensor_is_an_error_naming_it() {
        let dir = tiny_model();
        let name = "encoder.layer.0.intermediate.dense.weight";
        let tensors: Vec<_> = tiny_tensors().into_iter().filter(|t| t.0 != name).collect();
        write_safetensors(&dir.path().join("model.safetensors"), &tensors, &|_| "F32");
        let err = Bert::load(dir.path()).unwrap_err();
        assert!(err.contains(name) && err.contains("missing"), "{err}");
        assert!(err.contains("model.safetensors"), "{err}");
    }

    #[test]
    fn wrong_dtype_or_shape_is_an_error() {
        let dir = tiny_model();
        let path = dir.path().join("model.safetensors");
        // Same byte size, but declared as another 4-byte type.
        write_safetensors(&path, &tiny_tensors(), &|n| {
            if n == "embeddings.LayerNorm.bias" {
                "I32"
            } else {
                "F32"
            }
        });
        let err = Bert::load(dir.path()).unwrap_err();
        assert!(
            err.contains("embeddings.LayerNorm.bias") && err.contains("dtype I32"),
            "{err}"
        );

        let tensors: Vec<_> = tiny_tensors()
            .into_iter()
            .map(|(n, s, v)| {
                if n == "encoder.layer.0.output.dense.weight" {
                    (n, vec![I, H], v)
                } else {
                    (n, s, v)
                }
            })
            .collect();
        write_safetensors(&path, &tensors, &|_| "F32");
        let err = Bert::load(dir.path()).unwrap_err();
        assert!(
            err.contains("encoder.layer.0.output.dense.weight") && err.contains("shape"),
            "{err}"
        );
    }

    #[test]
    fn missing_or_bad_config_is_an_error_naming_it() {
        let dir = tiny_model();
        std::fs::remove_file(dir.path().join("config.json")).unwrap();
        let err = Bert::load(dir.path()).unwrap_err();
        assert!(err.contains("config.json"), "{err}");
        std::fs::write(dir.path().join("config.json"), r#"{"hidden_size": 8}"#).unwrap();
        let err = Bert::load(dir.path()).unwrap_err();
        assert!(
            err.contains("config.json") && err.contains("num_attention_heads"),
            "{err}"
        );
        let missing = tempfile::tempdir().unwrap();
        write_config(missing.path());
        let err = Bert::load(missing.path()).unwrap_err();
        assert!(err.contains("model.safetensors"), "{err}");
    }

    #[test]
    fn erf_matches_known_values() {
        let known = [
            (0.0, 0.0),
            (0.1, 0.112_462_916_018_284_9),
            (0.46875, 0.492_613_473_217_938_3),
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (2.0, 0.995_322_265_018_952_7),
            (3.5, 0.999_999_256_901_627_7),
            (4.5, 0.999_999_999_803_383_4),
            (6.5, 1.0),
        ];
        for (x, want) in known {
            assert!(
                (erf(x) - want).abs() < 1e-14,
                "erf({x}) = {} not {want}",
                erf(x)
            );
            assert!((erf(-x) + want).abs() < 1e-14, "erf(-{x})");
        }
        assert!(erf(f64::NAN).is_nan());
        assert_eq!(erf(f64::INFINITY), 1.0);
        // GELU at a few points: x · Φ(x).
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((gelu(-1.0) + 0.158_655_25).abs() < 1e-6);
    }

    #[test]
    fn gelu_matches_the_direct_formula() {
        let xs: Vec<f32> = (-120_000..=120_000).map(|k| k as f32 * 1e-4).collect();
        let mut got = xs.clone();
        gelu_all(&mut got);
        let mut worst = 0f64;
        for (&x, &g) in xs.iter().zip(&got) {
            assert_eq!(
                g,
                gelu_erf(x),
                "the vector and the scalar forms agree at {x}"
            );
            worst = worst.max((g as f64 - gelu(x) as f64).abs());
        }
        assert!(worst < 1.5e-6, "worst error {worst}");
        let mut edges = [-100.0, 100.0, 0.0, f32::NAN, f32::INFINITY];
        gelu_all(&mut edges);
        assert_eq!(edges[0], 0.0);
        assert_eq!(edges[1], 100.0);
        assert_eq!(edges[2], 0.0);
        assert!(edges[3].is_nan());
        assert_eq!(edges[4], f32::INFINITY);
    }
}
