//! Seeded randomness. Every draw in the project comes from a [`SeededRng`] made by
//! [`stream`] from the URL's seed, a purpose tag and an index: sample 7 of the training set is
//! the same whether 10 or 10,000 samples are generated, on any platform, in any order.
//!
//! The float conversions and the normal sampler are written here rather than taken from
//! `rand`'s distributions so that the bit patterns cannot change under a dependency update.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// A PCG generator with the few draws the project needs.
#[derive(Clone, Debug)]
pub struct SeededRng(Pcg64Mcg);

/// SplitMix64 finaliser: a bijective mixer so nearby seeds give unrelated streams.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a, 64 bits: stable across platforms and Rust versions, unlike `DefaultHasher`. Names
/// streams here and fingerprints datasets.
#[derive(Clone, Copy, Debug)]
pub struct Fnv(pub u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn write_u64(&mut self, v: u64) {
        self.write(&v.to_le_bytes());
    }
}

/// FNV-1a of a tag, for naming streams.
fn tag_hash(tag: &str) -> u64 {
    let mut h = Fnv::default();
    h.write(tag.as_bytes());
    h.0
}

/// The generator for `(seed, purpose, index)`.
pub fn stream(seed: u64, purpose: &str, index: u64) -> SeededRng {
    let a = mix(seed ^ mix(tag_hash(purpose)));
    let b = mix(a ^ mix(index.wrapping_add(0x9e37_79b9_7f4a_7c15)));
    SeededRng(Pcg64Mcg::seed_from_u64(b ^ a.rotate_left(17)))
}

/// A 64-bit hash of `(seed, purpose, index)`, for values fixed per item (e.g. RandBit's integer).
pub fn hash64(seed: u64, purpose: &str, index: u64) -> u64 {
    mix(mix(seed ^ mix(tag_hash(purpose))) ^ mix(index))
}

impl SeededRng {
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1), 24 random bits.
    pub fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u64 << 24) as f32)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in [0, n); `n > 0`. Lemire's multiply-shift, unbiased enough for n ≪ 2^32.
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    pub fn bernoulli(&mut self, p: f32) -> bool {
        self.uniform() < p
    }

    /// Standard normal by Box–Muller, with `libm` so wasm and native agree bit for bit.
    pub fn normal(&mut self) -> f32 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        libm::sqrtf(-2.0 * libm::logf(u1)) * libm::cosf(2.0 * std::f32::consts::PI * u2)
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| stream(1, "x", 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(stream(1, "x", 3).next_u64(), stream(1, "x", 4).next_u64());
        assert_ne!(stream(1, "x", 3).next_u64(), stream(2, "x", 3).next_u64());
        assert_ne!(stream(1, "x", 3).next_u64(), stream(1, "y", 3).next_u64());
    }

    #[test]
    fn draws_stay_in_range_and_normal_has_unit_moments() {
        let mut r = stream(0, "t", 0);
        let n = 20_000;
        let (mut s, mut s2) = (0.0f64, 0.0f64);
        for _ in 0..n {
            let u = r.uniform();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(7) < 7);
            let z = r.normal() as f64;
            s += z;
            s2 += z * z;
        }
        let mean = s / n as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((s2 / n as f64 - 1.0).abs() < 0.05);
    }
}
