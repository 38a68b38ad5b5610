//! The seven dataset kinds, each as "draw sample `i` of split `s` from its own stream".

use super::digits::{DIGIT_SIDE, draw_digit};
use super::image::Image;
use super::loaders::LoadedSet;
use super::objects::{
    OBJECT_CLASSES, Palette, blend, draw_object, paint_background, shape_coverage,
};
use super::{
    Dataset, Feature, ProbeSplit, Sample,
    colour::{hsv_to_rgb, luma},
    par_map,
};
use crate::params::{BaseKind, DataKind, ExperimentConfig, PaletteKind};
use crate::rng::{SeededRng, hash64, stream};

/// Grid offsets of DigitOnObjects, as fractions of the side (the paper's 3×3 positions).
pub const DIGIT_GRID: [f32; 3] = [0.15, 0.45, 0.75];

/// Images the held-out digit probe of DigitOnObjects is fitted on (as many as the offline
/// probes use from the training split).
pub const HELD_OUT_FIT: usize = 2000;

#[derive(Clone, Copy, PartialEq)]
enum Split {
    Train,
    Test,
    /// DigitOnObjects' held-out images: fresh digits, never in the training pool.
    HeldOutFit,
    HeldOutTest,
}

impl Split {
    fn tag(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
            Split::HeldOutFit => "heldout-fit",
            Split::HeldOutTest => "heldout-test",
        }
    }

    /// Which split of a user's file the images come from.
    fn file_side(self) -> Split {
        match self {
            Split::Train | Split::HeldOutFit => Split::Train,
            Split::Test | Split::HeldOutTest => Split::Test,
        }
    }
}

/// The user's file, split once into train and test by a seeded shuffle.
struct FileSplit<'a> {
    set: &'a LoadedSet,
    train: Vec<usize>,
    test: Vec<usize>,
}

impl<'a> FileSplit<'a> {
    fn new(set: &'a LoadedSet, config: &ExperimentConfig) -> Self {
        let n = set.images.len();
        let mut order: Vec<usize> = (0..n).collect();
        stream(config.seed, "file-split", 0).shuffle(&mut order);
        let test_n = config.test_size.min(n / 5).max(1);
        let train_n = config.train_size.min(n - test_n);
        let test = order[..test_n].to_vec();
        let train = order[test_n..test_n + train_n].to_vec();
        Self { set, train, test }
    }

    fn indices(&self, split: Split) -> &[usize] {
        match split.file_side() {
            Split::Test => &self.test,
            _ => &self.train,
        }
    }

    fn pick(&self, split: Split, i: usize) -> (&'a Image, usize) {
        let idx = self.indices(split)[i];
        (&self.set.images[idx], self.set.labels[idx])
    }

    fn len(&self, split: Split) -> usize {
        self.indices(split).len()
    }
}

pub(super) fn generate(config: &ExperimentConfig, file: Option<&LoadedSet>) -> Dataset {
    let file = file.map(|f| FileSplit::new(f, config));
    let c = config;
    let size = |split: Split| {
        let n = match (&file, split.file_side()) {
            (Some(f), s) if matches!(c.data, DataKind::RandBit | DataKind::DigitOnObjects) => {
                f.len(s)
            }
            (_, Split::Test) => c.test_size,
            _ => c.train_size,
        };
        if split == Split::HeldOutFit {
            n.min(HELD_OUT_FIT)
        } else {
            n
        }
    };
    let unique = unique_digits(c);
    let side = pasted_digit_side(c.image_size, c.digit_size);
    let make = |split: Split| -> Vec<Sample> {
        par_map(size(split), |i| {
            let mut rng = stream(
                c.seed,
                &format!("{}/{}", split.tag(), c.data.name()),
                i as u64,
            );
            let mut sample = match c.data {
                DataKind::Digits => digit_sample(&mut rng),
                DataKind::Objects => object_sample(c, &mut rng),
                DataKind::RandBit => match (&file, c.base) {
                    (Some(f), _) => {
                        let (img, label) = f.pick(split, i);
                        Sample {
                            image: img.clone(),
                            labels: vec![label],
                            mask: None,
                            parts: None,
                            bits: 0,
                        }
                    }
                    (None, BaseKind::Objects) => object_sample(c, &mut rng),
                    (None, _) => digit_sample(&mut rng),
                },
                DataKind::DigitOnObjects => {
                    let background = file.as_ref().map(|f| f.pick(split, i));
                    let fresh;
                    let digit = match split {
                        Split::Train | Split::Test => {
                            let (img, label) = &unique[rng.below(unique.len())];
                            (img, *label)
                        }
                        Split::HeldOutFit | Split::HeldOutTest => {
                            fresh = held_out_digit(c.seed, split == Split::HeldOutFit, i, side);
                            (&fresh.0, fresh.1)
                        }
                    };
                    digit_on_objects(c, digit, background, &mut rng)
                }
                DataKind::MultiDigits => multidigits(c, &mut rng),
                DataKind::ColourShape => colour_shape(c, &mut rng),
                DataKind::Scenes => scene(c, &mut rng),
            };
            if c.data == DataKind::RandBit && c.bits > 0 {
                let mask = (1u64 << c.bits) - 1;
                sample.bits =
                    (hash64(c.seed, &format!("randbit/{}", split.tag()), i as u64) & mask) as u32;
            }
            sample
        })
    };
    let (train, test) = (make(Split::Train), make(Split::Test));
    let heldout = (c.data == DataKind::DigitOnObjects)
        .then(|| (make(Split::HeldOutFit), make(Split::HeldOutTest)));
    let first = &train[0].image;
    let (channels, height, width) = (first.channels, first.height, first.width);
    let file_source = || {
        file.as_ref()
            .map(|f| f.set.source.clone())
            .unwrap_or_default()
    };
    let (features, source) = match c.data {
        DataKind::Digits => (vec![digit_feature("digit")], "synthetic digits".to_string()),
        DataKind::Objects => (vec![object_feature()], "procedural objects".into()),
        DataKind::RandBit => match (&file, c.base) {
            (Some(f), _) => (
                vec![Feature::new("label", f.set.class_names.clone())],
                file_source(),
            ),
            (None, BaseKind::Objects) => (vec![object_feature()], "procedural objects".into()),
            (None, _) => (vec![digit_feature("digit")], "synthetic digits".into()),
        },
        DataKind::DigitOnObjects => {
            let background = match &file {
                Some(f) => Feature::new("background", f.set.class_names.clone()),
                None => object_feature(),
            };
            let src = if file.is_some() {
                file_source()
            } else {
                "procedural objects".into()
            };
            (
                vec![
                    background,
                    digit_feature("digit").probed_on(ProbeSplit::HeldOut),
                    digit_feature("digit_seen"),
                ],
                format!(
                    "{src} + {} unique digits (x9 copies each); digit probe on held-out digits",
                    unique.len()
                ),
            )
        }
        DataKind::MultiDigits => (
            vec![digit_feature("fixed_digit"), digit_feature("varying_digit")],
            "two synthetic digits".into(),
        ),
        DataKind::ColourShape => (
            vec![
                object_feature_named("shape"),
                Feature::numbered("colour", c.colour_bins),
            ],
            "objects with a per-image hue".into(),
        ),
        DataKind::Scenes => {
            let names = OBJECT_CLASSES
                .iter()
                .map(|s| s.to_string())
                .chain((0..10).map(|d| format!("digit {d}")));
            (
                vec![
                    Feature::new("largest", names.collect()),
                    Feature::new("count", vec!["2".into(), "3".into(), "4".into()]),
                ],
                "scenes of shapes and digits".into(),
            )
        }
    };
    let bits = if c.data == DataKind::RandBit {
        c.bits
    } else {
        0
    };
    Dataset {
        kind: c.data,
        features,
        channels,
        height,
        width,
        bits,
        train,
        test,
        heldout,
        source,
    }
}

fn digit_feature(name: &str) -> Feature {
    Feature::numbered(name, 10)
}

fn object_feature() -> Feature {
    object_feature_named("object")
}

fn object_feature_named(name: &str) -> Feature {
    Feature::new(name, OBJECT_CLASSES.iter().map(|s| s.to_string()).collect())
}

fn digit_sample(rng: &mut SeededRng) -> Sample {
    let digit = rng.below(10);
    Sample {
        image: draw_digit(digit, DIGIT_SIDE, rng),
        labels: vec![digit],
        mask: None,
        parts: None,
        bits: 0,
    }
}

fn object_sample(c: &ExperimentConfig, rng: &mut SeededRng) -> Sample {
    let class = rng.below(OBJECT_CLASSES.len());
    let palette = match c.palette {
        PaletteKind::Random => Palette::random(rng),
        PaletteKind::Grey => Palette::grey(rng),
    };
    let (image, mask) = draw_object(class, c.image_size, palette, rng);
    Sample {
        image,
        labels: vec![class],
        mask: Some(mask),
        parts: None,
        bits: 0,
    }
}

/// DigitOnObjects' pool: the first N digits of a seeded digit "training set" (label `k % 10`,
/// so any N ≥ 10 covers every class evenly), already resized to the pasted size.
pub fn unique_digits(c: &ExperimentConfig) -> Vec<(Image, usize)> {
    if c.data != DataKind::DigitOnObjects {
        return Vec::new();
    }
    let side = pasted_digit_side(c.image_size, c.digit_size);
    par_map(c.unique_digits, |k| {
        let label = k % 10;
        let img = draw_digit(
            label,
            DIGIT_SIDE,
            &mut stream(c.seed, "unique_digits", k as u64),
        );
        (img.resized(side, side), label)
    })
}

/// The digit of held-out image `i` (of the fit or the test images): drawn fresh from its own
/// stream, so never one of the training pool's.
pub fn held_out_digit(seed: u64, fit: bool, i: usize, side: usize) -> (Image, usize) {
    let split = if fit {
        Split::HeldOutFit
    } else {
        Split::HeldOutTest
    };
    let mut rng = stream(seed, &format!("fresh_digit/{}", split.tag()), i as u64);
    let label = rng.below(10);
    let img = draw_digit(label, DIGIT_SIDE, &mut rng);
    (img.resized(side, side), label)
}

/// Side in pixels of each pasted copy.
pub fn pasted_digit_side(image: usize, fraction: f32) -> usize {
    ((image as f32 * fraction + 0.5) as usize).clamp(4, image)
}

/// Top-left corners of the nine copies: the 3×3 grid at 15/45/75 % of the side, each clamped
/// so the whole digit stays inside the image.
pub fn digit_grid(side: usize, digit: usize) -> [(usize, usize); 9] {
    let at = |f: f32| ((f * side as f32) as usize).min(side - digit);
    std::array::from_fn(|cell| (at(DIGIT_GRID[cell / 3]), at(DIGIT_GRID[cell % 3])))
}

/// One digit pasted by pixel-wise max at all nine positions of the 3×3 grid, as in the paper:
/// any reasonable crop keeps whole copies in both views.
fn digit_on_objects(
    c: &ExperimentConfig,
    (digit, digit_label): (&Image, usize),
    background: Option<(&Image, usize)>,
    rng: &mut SeededRng,
) -> Sample {
    let side = c.image_size;
    let (mut image, object_label, mask) = match background {
        Some((img, label)) => (img.with_channels(3).resized(side, side), label, None),
        None => {
            let s = object_sample(c, rng);
            (s.image, s.labels[0], s.mask)
        }
    };
    let d = digit.width;
    let mut mask = mask;
    for (y0, x0) in digit_grid(side, d) {
        for y in 0..d {
            for x in 0..d {
                let v = digit.get(0, y, x);
                for ch in 0..3 {
                    let old = image.get(ch, y0 + y, x0 + x);
                    image.set(ch, y0 + y, x0 + x, old.max(v));
                }
                if let (Some(m), true) = (mask.as_mut(), v >= 128) {
                    m[(y0 + y) * side + x0 + x] = 2;
                }
            }
        }
    }
    Sample {
        image,
        labels: vec![object_label, digit_label, digit_label],
        mask,
        parts: None,
        bits: 0,
    }
}

/// Where MultiDigits puts its two digits, in pixels: the fixed digit in a strip along the left
/// or right edge, the varying digit centred in the rest, each wandering by up to `jitter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MultiDigitsLayout {
    pub canvas: usize,
    /// Side of the fixed digit.
    pub fixed: usize,
    /// Side of the varying digit (capped so it fits beside the strip).
    pub varying: usize,
    /// Width of the strip that holds the fixed digit.
    pub strip: usize,
    /// How far (pixels) each digit wanders from its place.
    pub jitter: usize,
}

impl MultiDigitsLayout {
    pub fn new(c: &ExperimentConfig) -> Self {
        let canvas = c.canvas;
        let size = |f: f32| (canvas as f32 * f + 0.5) as usize;
        let fixed = size(c.small_digit).clamp(6, canvas / 3);
        let jitter = size(c.jitter).min(canvas / 4);
        let strip = (fixed + jitter).min(canvas / 2);
        let varying = size(c.digit_size).clamp(6, canvas - strip);
        Self {
            canvas,
            fixed,
            varying,
            strip,
            jitter,
        }
    }
}

/// Top-left corner along one axis: centred in `[lo, lo + room)` for a digit of `side`, moved
/// by up to `jitter` either way and kept inside.
fn wander(lo: usize, room: usize, side: usize, jitter: usize, rng: &mut SeededRng) -> usize {
    let free = room.saturating_sub(side);
    let centre = free / 2;
    let (min, max) = (centre.saturating_sub(jitter), (centre + jitter).min(free));
    lo + min + rng.below(max - min + 1)
}

/// Two digits on one canvas: the fixed one in a strip along the left or right edge that the
/// varying one never enters. The fixed digit (label, style, place) is drawn first from the
/// sample's stream, so it is the same image whatever the varying digit's size: along a
/// MultiDigits sweep only the other digit changes, and the two never overlap.
fn multidigits(c: &ExperimentConfig, rng: &mut SeededRng) -> Sample {
    let MultiDigitsLayout {
        canvas,
        fixed: fs,
        varying: vs,
        strip,
        jitter,
    } = MultiDigitsLayout::new(c);
    let fixed_label = rng.below(10);
    let fixed = draw_digit(fixed_label, fs, rng);
    let on_left = rng.bernoulli(0.5);
    let fy = wander(0, canvas, fs, jitter, rng);
    let fx = wander(
        if on_left { 0 } else { canvas - strip },
        strip,
        fs,
        jitter,
        rng,
    );
    let varying_label = rng.below(10);
    let varying = draw_digit(varying_label, vs, rng);
    let vy = wander(0, canvas, vs, jitter, rng);
    let vx = wander(
        if on_left { strip } else { 0 },
        canvas - strip,
        vs,
        jitter,
        rng,
    );
    let mut image = Image::new(1, canvas, canvas);
    let mut mask = vec![0u8; canvas * canvas];
    for (digit, (oy, ox), id) in [(&fixed, (fy, fx), 1u8), (&varying, (vy, vx), 2u8)] {
        for y in 0..digit.height {
            for x in 0..digit.width {
                let v = digit.get(0, y, x);
                let (cy, cx) = (oy + y, ox + x);
                image.set(0, cy, cx, v);
                if v >= 128 {
                    mask[cy * canvas + cx] = id;
                }
            }
        }
    }
    Sample {
        image,
        labels: vec![fixed_label, varying_label],
        mask: Some(mask),
        parts: None,
        bits: 0,
    }
}

/// An object whose whole colour distribution (object, background, texture) shares one hue
/// drawn per image: colour is an easy feature the two views always share.
fn colour_shape(c: &ExperimentConfig, rng: &mut SeededRng) -> Sample {
    let shape = rng.below(OBJECT_CLASSES.len());
    let hue = rng.uniform();
    let bin = ((hue * c.colour_bins as f32) as usize).min(c.colour_bins - 1);
    let near = |rng: &mut SeededRng| hue + 0.02 * rng.normal();
    let palette = Palette {
        object: hsv_to_rgb(near(rng), rng.range(0.6, 1.0), rng.range(0.7, 1.0)),
        background: hsv_to_rgb(near(rng), rng.range(0.4, 0.9), rng.range(0.15, 0.4)),
        texture: hsv_to_rgb(near(rng), rng.range(0.3, 0.8), rng.range(0.3, 0.55)),
    };
    let (image, mask) = draw_object(shape, c.image_size, palette, rng);
    Sample {
        image,
        labels: vec![shape, bin],
        mask: Some(mask),
        parts: None,
        bits: 0,
    }
}

/// 2–4 shapes and digits on a textured background, with each object's mask id (1..=4). Each
/// object has two parts, split by a line through its centre at a random angle: one half in its
/// colour, the other in a clearly darker (or, for a dark colour, lighter) shade of it, so
/// grouping by part is finer than grouping by object (`parts`: object `k` is parts `2k - 1`
/// and `2k`).
fn scene(c: &ExperimentConfig, rng: &mut SeededRng) -> Sample {
    let side = c.canvas;
    let s = side as f32;
    let count = 2 + rng.below(3);
    let mut image = Image::new(3, side, side);
    paint_background(&mut image, Palette::random(rng), rng);
    let mut mask = vec![0u8; side * side];
    let mut parts = vec![0u8; side * side];
    let mut classes = Vec::with_capacity(count);
    for id in 1..=count {
        let class = rng.below(20);
        let r = rng.range(0.12, 0.22) * s;
        let (cx, cy) = (rng.range(r, s - r), rng.range(r, s - r));
        let coverage = if class < 10 {
            shape_coverage(class, side, cx, cy, r, rng.range(-15.0, 15.0).to_radians())
        } else {
            let d = (2.0 * r) as usize;
            let digit = draw_digit(class - 10, d, rng);
            let (x0, y0) = ((cx - r) as usize, (cy - r) as usize);
            let mut cov = vec![0.0; side * side];
            for y in 0..d.min(side - y0) {
                for x in 0..d.min(side - x0) {
                    cov[(y0 + y) * side + x0 + x] = digit.get(0, y, x) as f32 / 255.0;
                }
            }
            cov
        };
        classes.push(class);
        let light = Palette::random(rng).object;
        // The other half: the same hue darker, or lighter where the colour is already dark.
        let dark = match luma(light) > 0.4 {
            true => light.map(|v| v * 0.45),
            false => light.map(|v| v * 0.45 + 0.55),
        };
        let split = rng.range(0.0, std::f32::consts::TAU);
        let normal = (libm::cosf(split), libm::sinf(split));
        for y in 0..side {
            for x in 0..side {
                let a = coverage[y * side + x];
                let far = (x as f32 + 0.5 - cx) * normal.0 + (y as f32 + 0.5 - cy) * normal.1 > 0.0;
                if a > 0.0 {
                    blend(&mut image, x, y, if far { dark } else { light }, a);
                }
                if a >= 0.5 {
                    mask[y * side + x] = id as u8;
                    parts[y * side + x] = (2 * id - usize::from(!far)) as u8;
                }
            }
        }
    }
    // The label is the object with the most visible pixels after occlusion (first on ties).
    let visible = |id: usize| mask.iter().filter(|&&m| m as usize == id).count();
    let largest = classes[(1..=count)
        .max_by_key(|&id| (visible(id), std::cmp::Reverse(id)))
        .unwrap()
        - 1];
    Sample {
        image,
        labels: vec![largest, count - 2],
        mask: Some(mask),
        parts: Some(parts),
        bits: 0,
    }
}
