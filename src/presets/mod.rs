//! Presets: one per finding of the paper (docs/science.md, "Findings"), each a link, a sweep,
//! what to look for, how it is scaled down, published numbers to compare with where there are
//! any, and the verdict on the finding computed from the sweep's runs over seeds.

mod verdicts;

use crate::params::ExperimentConfig;
use crate::sweep::report::EffectLine;
use crate::sweep::{Metric, SweepResult, SweepSpec};
use crate::url::{decode, decode_onto};
use crate::verdict::Verdict;

/// Published numbers drawn beside ours: one line of the effect chart.
#[derive(Clone, Copy, Debug)]
pub struct Reference {
    pub name: &'static str,
    /// (first-axis value, metric).
    pub points: &'static [(f32, f32)],
}

/// A finding, ready to run.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// `--preset NAME` and the page menu's value.
    pub name: &'static str,
    pub title: &'static str,
    /// The experiment as the paper runs it (or as close as we come), as link text.
    pub config: &'static str,
    /// What `--scale small` changes for a CPU (link text on top of `config`).
    pub small: &'static str,
    /// The sweep, as `sweep=` text.
    pub sweep: &'static str,
    pub effect: Metric,
    /// What to look for, shown under the menu and written into the report.
    pub look_for: &'static str,
    /// How this differs from the paper, and why.
    pub differs: &'static str,
    /// Needs the user's own MNIST/CIFAR file (`base=file`).
    pub needs_file: bool,
    /// A short demonstration of another preset's finding: in the page, not in `reproduce`.
    pub demo: bool,
    pub references: &'static [Reference],
    verdict: fn(&SweepSpec, &[SweepResult]) -> Verdict,
}

/// The RandBit notebook's final online-probe accuracy (MNIST, 600 steps of batch 1000), per τ
/// over bits 0, 5, 10, 15, 20.
const NOTEBOOK_RANDBIT: &[Reference] = &[
    Reference {
        name: "notebook tau=0.05",
        points: &[
            (0.0, 0.899),
            (5.0, 0.706),
            (10.0, 0.330),
            (15.0, 0.143),
            (20.0, 0.099),
        ],
    },
    Reference {
        name: "notebook tau=0.1",
        points: &[
            (0.0, 0.892),
            (5.0, 0.612),
            (10.0, 0.187),
            (15.0, 0.098),
            (20.0, 0.103),
        ],
    },
    Reference {
        name: "notebook tau=0.2",
        points: &[
            (0.0, 0.900),
            (5.0, 0.330),
            (10.0, 0.104),
            (15.0, 0.100),
            (20.0, 0.099),
        ],
    },
];

/// The RandBit notebook's recipe (docs/science.md, "RandBit"): crop only (area ≥ 0.5, no flip,
/// no colour), Adam 1e-3 decayed linearly to 0, weight decay, the 32/64/64 ConvNet, head
/// 256 → 64, batch 1000 for 600 steps on MNIST-sized data.
macro_rules! randbit {
    ($($extra:literal)?) => {
        concat!(
            "data=randbit&base=digits&crop_min=0.5&flip=0&colour_jitter=0&greyscale=0&lr_schedule=linear&weight_decay=0.0002&batch=1000&steps=600&train_size=60000&test_size=10000&head_depth=2&head_width=256&out_dim=64&tau=0.1&eval_every=50&checkpoints=2"
            $(, $extra)?
        )
    };
}

/// Every preset, in the order the page lists them.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "randbit-quick",
        title: "Start here: 10 random bits suppress the digit (a one-minute run)",
        config: "data=randbit&base=digits&crop_min=0.5&flip=0&colour_jitter=0&greyscale=0&lr_schedule=linear&lr=0.003&batch=32&steps=80&train_size=1500&test_size=400&width=0.5&head_width=64&out_dim=32&eval_every=20&checkpoints=1",
        small: "",
        sweep: "bits:0,10",
        effect: Metric::Offline,
        look_for: "Two small runs, without and with 10 random bits appended to every image. \
                   Both solve the instance task, but with the bits the digit probe falls toward \
                   its dashed chance line: the easy bits suppressed the digit.",
        differs: "A tiny version of the RandBit preset (1,500 images, 80 steps of batch 32, a \
                  half-width encoder) so that it finishes in about a minute in a browser.",
        needs_file: false,
        demo: true,
        references: &[],
        verdict: verdicts::randbit,
    },
    Preset {
        name: "randbit",
        title: "RandBit: a few shared random bits suppress the digit",
        config: randbit!(),
        small: "batch=128&steps=200&train_size=6000&test_size=1000",
        sweep: "bits:0,5,10,20;tau:0.05,0.2",
        effect: Metric::Online,
        look_for: "Digit accuracy falls as bits are added and sits near chance from 10-15 bits, \
                   while contrastive accuracy saturates: the bits alone solve the instance task. \
                   The lower temperature keeps a little more of the digit. Dotted grey: the \
                   paper's notebook.",
        differs: "Synthetic MNIST-like digits instead of MNIST; `--scale small` trains 200 steps \
                  of batch 128 on 6,000 images instead of 600 of batch 1000 on 60,000. Our \
                  NT-Xent contrasts each view with all 2n − 1 others; the notebook uses the n×n \
                  cross-view logits.",
        needs_file: false,
        demo: false,
        references: NOTEBOOK_RANDBIT,
        verdict: verdicts::randbit,
    },
    Preset {
        name: "digit-on-objects",
        title: "DigitOnObjects: more unique digits, digit up, object down",
        config: "data=digit_on_objects&base=objects&palette=grey&image_size=48&digit_size=0.3&crop_min=0.3&colour_jitter=0.5&greyscale=0&lr_schedule=linear&batch=256&steps=600&train_size=20000&test_size=2000",
        small: "batch=128&steps=300&train_size=6000&test_size=1000",
        sweep: "unique_digits:1,1024;objective:contrastive,supervised",
        effect: Metric::Offline,
        look_for: "Nine copies of one of N digits are pasted on every object. The digit probe \
                   (fitted and tested on fresh digits never in the pool) rises with N: more \
                   unique digits make the digit an instance feature the views share. The \
                   object probe falls. The supervised control, trained on the object label, \
                   is not hurt by the digits.",
        differs: "Procedural objects in grey (no colour shortcut) instead of ImageNet; 48 px \
                  images with 14 px digits (the paper: 28 px on 224 px, an eighth of the side, \
                  which at 48 px would be 6 px and unreadable); N = 1 against 1024.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::digit_on_objects,
    },
    Preset {
        name: "multidigits",
        title: "MultiDigits: a growing digit suppresses the small one",
        config: "data=multidigits&canvas=48&small_digit=0.21&jitter=0.05&crop_min=0.5&flip=0&colour_jitter=0&greyscale=0&lr_schedule=linear&batch=256&steps=600&train_size=20000&test_size=2000",
        small: "batch=128&steps=300&train_size=6000&test_size=1000",
        sweep: "digit_size:0.21,0.65",
        effect: Metric::Offline,
        look_for: "The fixed digit stays the same size and in the same place distribution; the \
                   other grows from equal size to three times its side. The fixed digit is learned when \
                   both are equal and its accuracy falls as the other grows, while the large \
                   digit stays learned.",
        differs: "A 48 px canvas with a 10 px fixed digit (a reimplementation: 20 px on 112 \
                  px). Each digit wanders 5 % of the canvas around its own place (jitter): with \
                  positions drawn anywhere, the ConvNet does not learn a 10 px digit at this \
                  scale; with none, the probe reads position, not the digit.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::multidigits,
    },
    Preset {
        name: "colour-shape",
        title: "Colour vs shape: colour jitter rescues the shape",
        config: "data=colour_shape&greyscale=0",
        small: "steps=300&batch=128&train_size=6000&test_size=1000",
        sweep: "colour_jitter:0,0.8",
        effect: Metric::Offline,
        look_for: "Without colour jitter both views share the image's colour, colour is learned \
                   and shape is suppressed; with jitter the colour shortcut breaks and the shape \
                   probe recovers.",
        differs: "Procedural shapes whose whole palette shares one hue per image, the paper's \
                  motivating example built so that colour is the only shortcut.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::colour_shape,
    },
    Preset {
        name: "loss-head",
        title: "Loss family x projection-head depth",
        config: "data=objects&palette=grey",
        small: "steps=150&batch=128&train_size=3000&test_size=1000",
        sweep: "loss:ntxent,logsumexp,swd_sphere,swd_cube,swd_normal,align_uniform;head_depth:0,3",
        effect: Metric::Offline,
        look_for: "With a 3-layer head the loss variants end close to each other; with no head \
                   they spread more.",
        differs: "Procedural objects (grey) instead of ImageNet/CIFAR; every loss at its \
                  default (logsumexp's lambda is in NT-Xent units, see docs/science.md).",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::loss_head,
    },
    Preset {
        name: "loss-lambda",
        title: "The distribution weight lambda per loss",
        config: "data=objects&palette=grey&head_depth=0",
        small: "steps=150&batch=128&train_size=3000&test_size=1000",
        sweep: "lambda:0.1,1,10;loss:logsumexp,swd_sphere",
        effect: Metric::Offline,
        look_for: "Each loss learns over a range of lambda around its default 1; far from it the \
                   distribution term is too weak (collapse) or too strong.",
        differs: "Procedural objects (grey); no projection head, where the losses differ most.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::loss_lambda,
    },
    Preset {
        name: "local-features",
        title: "Local features from a global loss",
        config: "data=scenes&canvas=32&block=2&kmeans_k=4&steps=600&batch=256&train_size=20000&test_size=1000",
        small: "batch=128&steps=300&train_size=6000",
        sweep: "colour_jitter:0,0.5",
        effect: Metric::Ari,
        look_for: "K-means on a block's feature map, one image at a time, groups pixels by \
                   object when the encoder has learned local features: the trained encoder's \
                   clusters should match the true masks better (ARI) than the same encoder at \
                   initialisation (dotted) and than K-means on the raw pixels at the same \
                   resolution (dashed). The sweep turns colour jitter off and on: jitter teaches \
                   the encoder to ignore colour, which is what tells our objects apart.",
        differs: "Synthetic scenes whose true masks are known, so the paper's qualitative \
                  figure becomes a number; a 32 px canvas and a small ConvNet instead of \
                  ImageNet and ResNet-50.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::local_features,
    },
    Preset {
        name: "local-hierarchy",
        title: "Hierarchical local features: early blocks group parts, late blocks objects",
        config: "data=scenes&canvas=32&kmeans_k=4&colour_jitter=0.5&steps=600&batch=256&train_size=20000&test_size=1000",
        small: "batch=128&steps=300&train_size=6000",
        sweep: "block:1,3",
        effect: Metric::Ari,
        look_for: "Every object in these scenes has a light half and a dark half. K-means on \
                   the first block's feature map should follow those parts (its 'vs parts' line \
                   high), while the last block's clusters should follow whole objects: the \
                   'vs parts' line falls below the objects' line from block 1 to block 3. Each \
                   point is the same training; only the block that is clustered changes.",
        differs: "The paper shows ImageNet images clustered with more and more groups at \
                  several layers; here objects have two known parts, so the finer level is a \
                  number (ARI against the parts' masks) and the coarser one too.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::local_hierarchy,
    },
    Preset {
        name: "randbit-batch",
        title: "RandBit: a larger batch helps a little",
        config: randbit!("&bits=10"),
        small: "steps=200&train_size=6000&test_size=1000",
        sweep: "batch:64,512",
        effect: Metric::Online,
        look_for: "With the same number of steps, a larger batch keeps a little more of the \
                   digit against the bits.",
        differs: "As RandBit.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::randbit_batch,
    },
    Preset {
        name: "randbit-width",
        title: "RandBit: a wider encoder does not help",
        config: randbit!("&bits=10"),
        small: "batch=128&steps=200&train_size=6000&test_size=1000",
        sweep: "width:0.5,2",
        effect: Metric::Online,
        look_for: "Four times the channels do not keep more of the digit: the bits are still \
                   the easiest feature.",
        differs: "As RandBit.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::randbit_width,
    },
    Preset {
        name: "randbit-autoencoder",
        title: "RandBit: a reconstruction loss suffers much less",
        config: randbit!(),
        small: "batch=128&steps=200&train_size=6000&test_size=1000",
        sweep: "bits:0,10;objective:contrastive,autoencoder",
        effect: Metric::Offline,
        look_for: "An autoencoder on the same data (reconstructing image and bits) keeps much \
                   more of the digit than the contrastive loss once bits are added.",
        differs: "Our autoencoder decodes the representation with a small MLP.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: verdicts::randbit_autoencoder,
    },
    Preset {
        name: "your-data",
        title: "RandBit on your own data",
        config: "data=randbit&base=file&crop_min=0.5&flip=0&colour_jitter=0&greyscale=0&lr_schedule=linear&weight_decay=0.0002",
        small: "batch=256&steps=300",
        sweep: "bits:0,5,10,20",
        effect: Metric::Online,
        look_for: "Drop an MNIST IDX pair or CIFAR-10 .bin first. The label accuracy of your own \
                   images falls as random bits are added.",
        differs: "Your data, with the RandBit notebook's recipe.",
        needs_file: true,
        demo: false,
        references: &[],
        verdict: verdicts::your_data,
    },
];

impl Preset {
    pub fn find(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.name == name)
    }

    /// Whether this preset's sweep has the axes of `spec`: the one answer to "which preset is
    /// this sweep?". Callers decide whether demonstrations count.
    pub fn matches(&self, spec: &SweepSpec) -> bool {
        self.sweep_spec().axes == spec.axes
    }

    /// The preset whose sweep has these axes (its published numbers go on that sweep's chart).
    pub fn find_by_sweep(spec: &SweepSpec) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| !p.demo && p.matches(spec))
    }

    /// Names for error messages.
    pub fn names() -> String {
        PRESETS
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The experiment as written.
    pub fn experiment(&self) -> ExperimentConfig {
        let d = decode(self.config);
        debug_assert!(d.warnings.is_empty(), "{}: {:?}", self.name, d.warnings);
        d.config
    }

    /// The experiment with `--scale small`'s changes.
    pub fn small_experiment(&self) -> ExperimentConfig {
        decode_onto(self.experiment(), self.small).config
    }

    pub fn sweep_spec(&self) -> SweepSpec {
        SweepSpec::parse(self.sweep, self.effect).expect("preset sweeps are valid")
    }

    /// The published numbers as effect-chart lines.
    pub fn reference_lines(&self) -> Vec<EffectLine> {
        self.references
            .iter()
            .map(|r| EffectLine::reference(r.name, r.points))
            .collect()
    }

    /// The finding's verdict on the sweep's results (over however many seeds ran).
    pub fn verdict(&self, results: &[SweepResult]) -> Verdict {
        let spec = self.sweep_spec();
        let mut v = (self.verdict)(&spec, results);
        v.finding = self.title.to_string();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_decodes_cleanly_and_its_sweep_is_valid_with_three_seeds() {
        for p in PRESETS {
            let d = decode(p.config);
            assert!(d.warnings.is_empty(), "{}: {:?}", p.name, d.warnings);
            let small = decode_onto(p.experiment(), p.small);
            assert!(
                small.warnings.is_empty(),
                "{}: {:?}",
                p.name,
                small.warnings
            );
            let spec = p.sweep_spec().with_seeds(3);
            assert!(spec.is_ok(), "{}: {spec:?}", p.name);
            assert_eq!(
                p.experiment().base == crate::params::BaseKind::File,
                p.needs_file
            );
            assert_eq!(Preset::find(p.name).map(|f| f.name), Some(p.name));
        }
        assert!(Preset::find("nope").is_none());
    }
}
