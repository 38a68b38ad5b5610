//! The seven dataset kinds, each as "draw sample `i` of split `s` from its own stream", and
//! the features each kind's samples are labelled with.

use super::digits::{DIGIT_SIDE, draw_digit};
use super::image::Image;
use super::loaders::LoadedSet;
use super::multidigits::multidigits;
use super::objects::{OBJECT_CLASSES, Palette, draw_object};
use super::scenes::scene;
use super::{Dataset, Feature, ProbeSplit, Sample, colour::hsv_to_rgb};
use crate::par;
use crate::params::{BackgroundKind, BaseKind, DataKind, ExperimentConfig, PaletteKind};
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
    let kind = config.data;
    let g = Generator::new(config, file);
    let (train, test) = (g.samples(Split::Train), g.samples(Split::Test));
    let heldout = kind
        .has_held_out()
        .then(|| (g.samples(Split::HeldOutFit), g.samples(Split::HeldOutTest)));
    let first = &train[0].image;
    let (channels, height, width) = (first.channels, first.height, first.width);
    let bits = if kind == DataKind::RandBit {
        config.bits
    } else {
        0
    };
    Dataset {
        kind,
        features: kind.features(config, file),
        channels,
        height,
        width,
        bits,
        train,
        test,
        heldout,
        source: kind.source(config, file, g.unique.len()),
    }
}

/// What every sample of a dataset is drawn from besides its own stream: the config, the
/// user's file, and DigitOnObjects' digit pool.
struct Generator<'a> {
    c: &'a ExperimentConfig,
    file: Option<FileSplit<'a>>,
    /// DigitOnObjects' pool; empty for the other kinds.
    unique: Vec<(Image, usize)>,
}

impl<'a> Generator<'a> {
    fn new(c: &'a ExperimentConfig, file: Option<&'a LoadedSet>) -> Self {
        Self {
            c,
            file: file.map(|f| FileSplit::new(f, c)),
            unique: unique_digits(c),
        }
    }

    /// How many images `split` has: as many as the file gives where the images come from
    /// one, else the size knobs.
    fn size(&self, split: Split) -> usize {
        let c = self.c;
        let n = match (&self.file, split.file_side()) {
            (Some(f), s) if c.data.uses_base() => f.len(s),
            (_, Split::Test) => c.test_size,
            _ => c.train_size,
        };
        if split == Split::HeldOutFit {
            n.min(HELD_OUT_FIT)
        } else {
            n
        }
    }

    fn samples(&self, split: Split) -> Vec<Sample> {
        par::map(self.size(split), |i| self.sample(split, i))
    }

    /// Sample `i` of `split`, drawn from its own stream.
    fn sample(&self, split: Split, i: usize) -> Sample {
        let c = self.c;
        let tag = format!("{}/{}", split.tag(), c.data.name());
        let mut rng = stream(c.seed, &tag, i as u64);
        let mut sample = match c.data {
            DataKind::Digits => digit_sample(&mut rng),
            DataKind::Objects => object_sample(c, &mut rng),
            DataKind::RandBit => self.base_sample(split, i, &mut rng),
            DataKind::DigitOnObjects => self.pasted_sample(split, i, &mut rng),
            DataKind::MultiDigits => multidigits(c, &mut rng),
            DataKind::ColourShape => colour_shape(c, &mut rng),
            DataKind::Scenes => scene(c, &mut rng),
        };
        if c.data == DataKind::RandBit && c.bits > 0 {
            let mask = (1u64 << c.bits) - 1;
            let tag = format!("randbit/{}", split.tag());
            sample.bits = (hash64(c.seed, &tag, i as u64) & mask) as u32;
        }
        sample
    }

    /// RandBit's base image: a picture from the user's file, or a procedural object or digit.
    fn base_sample(&self, split: Split, i: usize, rng: &mut SeededRng) -> Sample {
        match (&self.file, self.c.base) {
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
            (None, BaseKind::Objects) => object_sample(self.c, rng),
            (None, _) => digit_sample(rng),
        }
    }

    /// DigitOnObjects: a digit from the pool (fresh for the held-out images) pasted onto a
    /// procedural object or a picture from the user's file.
    fn pasted_sample(&self, split: Split, i: usize, rng: &mut SeededRng) -> Sample {
        let c = self.c;
        let background = self.file.as_ref().map(|f| f.pick(split, i));
        let fresh;
        let digit = match split {
            Split::Train | Split::Test => {
                let (img, label) = &self.unique[rng.below(self.unique.len())];
                (img, *label)
            }
            Split::HeldOutFit | Split::HeldOutTest => {
                let side = pasted_digit_side(c.image_size, c.digit_size);
                fresh = held_out_digit(c.seed, split == Split::HeldOutFit, i, side);
                (&fresh.0, fresh.1)
            }
        };
        digit_on_objects(c, digit, background, rng)
    }
}

impl DataKind {
    /// The features this kind's samples are labelled with, in label order; `file` is the
    /// user's file where the images come from one.
    fn features(self, c: &ExperimentConfig, file: Option<&LoadedSet>) -> Vec<Feature> {
        let file_feature = |name: &str, f: &LoadedSet| Feature::new(name, f.class_names.clone());
        match self {
            DataKind::Digits => vec![digit_feature("digit")],
            DataKind::Objects => vec![object_feature()],
            DataKind::RandBit => vec![match (file, c.base) {
                (Some(f), _) => file_feature("label", f),
                (None, BaseKind::Objects) => object_feature(),
                (None, _) => digit_feature("digit"),
            }],
            DataKind::DigitOnObjects => vec![
                file.map_or_else(object_feature, |f| file_feature("background", f)),
                digit_feature("digit").probed_on(ProbeSplit::HeldOut),
                digit_feature("digit_seen"),
            ],
            DataKind::MultiDigits => {
                vec![digit_feature("fixed_digit"), digit_feature("varying_digit")]
            }
            DataKind::ColourShape => vec![
                object_feature_named("shape"),
                Feature::numbered("colour", c.colour_bins),
            ],
            DataKind::Scenes => {
                let names = OBJECT_CLASSES
                    .iter()
                    .map(|s| s.to_string())
                    .chain((0..10).map(|d| format!("digit {d}")));
                vec![
                    Feature::new("largest", names.collect()),
                    Feature::new("count", vec!["2".into(), "3".into(), "4".into()]),
                ]
            }
        }
    }

    /// Where this kind's images come from, for people; `unique` is the size of
    /// DigitOnObjects' digit pool.
    fn source(self, c: &ExperimentConfig, file: Option<&LoadedSet>, unique: usize) -> String {
        let objects = "procedural objects";
        match self {
            DataKind::Digits => "synthetic digits".into(),
            DataKind::Objects => objects.into(),
            DataKind::RandBit => match (file, c.base) {
                (Some(f), _) => f.source.clone(),
                (None, BaseKind::Objects) => objects.into(),
                (None, _) => "synthetic digits".into(),
            },
            DataKind::DigitOnObjects => {
                let src = file.map_or(objects, |f| f.source.as_str());
                format!(
                    "{src} + {unique} unique digits (x9 copies each); digit probe on held-out digits"
                )
            }
            DataKind::MultiDigits => "two synthetic digits".into(),
            DataKind::ColourShape => "objects with a per-image hue".into(),
            DataKind::Scenes => "scenes of shapes and digits".into(),
        }
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
    let mut palette = match c.palette {
        PaletteKind::Random => Palette::random(rng),
        PaletteKind::Grey => Palette::grey(rng),
    };
    if c.object_contrast < 1.0 {
        let (k, bg) = (c.object_contrast, palette.background);
        palette.object = std::array::from_fn(|i| bg[i] + k * (palette.object[i] - bg[i]));
    }
    let (image, mask) = draw_object(class, c.image_size, palette, c.background, rng);
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
    par::map(c.unique_digits, |k| {
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
    // The per-image hue lives in the background's texture too: always textured.
    let (image, mask) = draw_object(shape, c.image_size, palette, BackgroundKind::Textured, rng);
    Sample {
        image,
        labels: vec![shape, bin],
        mask: Some(mask),
        parts: None,
        bits: 0,
    }
}
