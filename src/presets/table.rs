//! The findings, one row each, in the order the page lists them.

use super::Preset;
use super::notebook::NOTEBOOK_RANDBIT;
use super::rules;
use crate::sweep::{Metric, SweepSpec};

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
        config: "data=randbit&base=digits&crop_min=0.5&flip=0&colour_jitter=0&greyscale=0&lr_schedule=linear&lr=0.003&batch=32&steps=200&train_size=1500&test_size=400&width=0.5&head_width=64&out_dim=32&eval_every=20&checkpoints=1",
        small: "",
        sweep: "bits:0,10",
        effect: Metric::Offline,
        look_for: "Two small runs, without and with 10 random bits appended to every image. \
                   Both solve the instance task, but with the bits the digit probe falls toward \
                   its dashed chance line: the easy bits suppressed the digit.",
        explain_title: "",
        explain: "",
        differs: "A tiny version of the RandBit preset (1,500 images, 200 steps of batch 32, a \
                  half-width encoder) so that it finishes in about a minute in a browser.",
        needs_file: false,
        demo: true,
        references: &[],
        verdict: rules::randbit::randbit,
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
        explain_title: "RandBit: a few random bits win",
        explain: "Each image gets a few random bits, the same in both views, added as extra \
                  constant channels. The bits alone are enough to tell images apart, so the \
                  network learns them and drops the digit. With 0 bits the digit is learned well. \
                  By 10–15 bits its accuracy is near chance, while contrastive accuracy stays \
                  high. Lower temperature keeps a little more of the digit. Look for: on the sweep \
                  chart, digit accuracy falling with bits towards the dashed chance line, next to \
                  the paper notebook's dotted grey lines.",
        differs: "Synthetic MNIST-like digits instead of MNIST; `--scale small` trains 200 steps \
                  of batch 128 on 6,000 images instead of 600 of batch 1000 on 60,000. Our \
                  NT-Xent contrasts each view with all 2n − 1 others; the notebook uses the n×n \
                  cross-view logits.",
        needs_file: false,
        demo: false,
        references: NOTEBOOK_RANDBIT,
        verdict: rules::randbit::randbit,
    },
    Preset {
        name: "digit-on-objects",
        title: "DigitOnObjects: more unique digits, digit up, object down",
        config: "data=digit_on_objects&base=objects&palette=grey&background=flat&image_size=64&digit_size=0.125&crop_min=0.5&colour_jitter=0.8&greyscale=0&lr_schedule=linear&batch=256&steps=3000&train_size=20000&test_size=2000",
        small: "batch=128&steps=600&train_size=6000&test_size=1000",
        sweep: "unique_digits:1,100,6000;objective:contrastive,supervised",
        effect: Metric::Offline,
        look_for: "Nine copies of one of N digits are pasted on every object, at the paper's \
                   share of the image (an eighth of the side each, 14 % together), on a flat \
                   background that gives the views no texture to share. The digit probe \
                   (fitted and tested on fresh digits never in the pool) should rise with N, \
                   beyond the untrained encoder: more unique digits make the digit an instance \
                   feature the views share. The object probe should fall, by more than the \
                   supervised control's, which the digits should not hurt.",
        explain_title: "DigitOnObjects: more unique digits, digit up, object down",
        explain: "Nine copies of a small digit are pasted on every object picture. With one \
                  unique digit, every image carries the same digit, so it cannot help tell \
                  images apart and is ignored. With thousands of unique digits, the digit \
                  becomes a shared clue that tells images apart: the paper's encoder learns it, \
                  and the object suffers. A supervised network trained on the object label \
                  serves as a control. Look for: the digit line (tested on fresh digits) rising \
                  with N above its dotted untrained line, the contrastive object line falling, \
                  and the supervised object line staying flat.",
        differs: "Procedural objects in grey on a flat background (no colour or texture \
                  shortcut) instead of ImageNet; 64 px images with 8 px digits, the paper's \
                  eighth of the side and 14 % of the image (28 px on 224 px); N from 1 to every \
                  training image its own digit; a small ConvNet trained for hundreds of steps.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::competing::digit_on_objects,
    },
    Preset {
        name: "multidigits",
        title: "MultiDigits: a growing digit suppresses the small one",
        config: "data=multidigits&canvas=48&small_digit=0.3&jitter=0.05&crop_min=0.6&flip=0&colour_jitter=0&greyscale=0&lr_schedule=linear&batch=256&steps=1500&train_size=20000&test_size=2000",
        small: "batch=128&steps=1500&train_size=6000&test_size=1000",
        sweep: "digit_size:0.3,0.67",
        effect: Metric::Offline,
        look_for: "The fixed digit stays the same size and in the same place distribution; the \
                   other grows from equal size to over twice its side. The fixed digit is learned when \
                   both are equal and its accuracy falls as the other grows, by more than an \
                   untrained encoder's, while the large digit stays learned.",
        explain_title: "MultiDigits: a big digit hides a small one",
        explain: "Two digits share a canvas. One keeps its small size and its spot in every image. \
                  The other grows from equal size to over twice as big. When both are equal, the \
                  network learns both. As the second one grows, it becomes the dominant shared \
                  feature and the small digit fades from the representation, even though it never \
                  changed. Look for: the fixed_digit line falling towards chance as digit_size \
                  grows, while the varying_digit line stays high.",
        differs: "A 48 px canvas with a 14 px fixed digit and a varying one of 14 to 32 px (a \
                  reimplementation: 20 px on 112 px). Each digit wanders 5 % of the canvas around \
                  its own place (jitter): with positions drawn anywhere, the ConvNet does not \
                  learn a small digit at this scale; with none, the probe reads position, not \
                  the digit. 1,500 steps, so that the small digit is learned well before the \
                  other grows.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::competing::multidigits,
    },
    Preset {
        name: "colour-shape",
        title: "Colour vs shape: colour jitter rescues the shape",
        config: "data=colour_shape&greyscale=0&lr_schedule=linear&steps=600",
        small: "batch=128&train_size=6000&test_size=1000",
        sweep: "colour_jitter:0,0.8",
        effect: Metric::Offline,
        look_for: "Without colour jitter both views share the image's colour, colour is learned \
                   and shape is suppressed below what an untrained encoder reads; with jitter \
                   the colour shortcut breaks and the shape probe rises above it.",
        explain_title: "Colour vs shape: why colour jitter matters",
        explain: "Here each image's object and background share one hue. Without colour \
                  augmentation, both views have the same colours, and colour alone separates many \
                  images, so shape gets neglected. Colour jitter shifts the colours differently in \
                  each view, so colour stops being a reliable shared clue, and the network has to \
                  use shape. Look for: the shape line below its dotted untrained line at \
                  colour_jitter = 0 and above it at 0.8, and the colour line above its untrained \
                  line without jitter.",
        differs: "Procedural shapes whose whole palette shares one hue per image, the paper's \
                  motivating example built so that colour is the only shortcut.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::competing::colour_shape,
    },
    Preset {
        name: "loss-head",
        title: "Loss family x projection-head depth",
        config: "data=objects&palette=grey&lr_schedule=linear&steps=1000",
        small: "steps=600&batch=128&train_size=3000&test_size=1000",
        sweep: "loss:ntxent,logsumexp,swd_sphere~lambda:5,swd_cube~lambda:5,swd_normal~lambda:5;head_depth:0,3",
        effect: Metric::Offline,
        look_for: "Every loss of the family learns the object beyond the untrained encoder; the \
                   paper's claim is that a 3-layer head raises each of them and brings them \
                   closer together (a smaller spread, the sd across losses) than no head.",
        explain_title: "Loss family × head depth: the head evens things out",
        explain: "The paper writes many losses as \"alignment + distribution\": NT-Xent, \
                  log-sum-exp, and matching a sphere, cube or Gaussian prior (SWD), each at a \
                  weight λ of its own. With a deep projection head between the representation \
                  and the loss, they all end up at similar probe accuracy. With no head, the \
                  loss's shape reaches the representation directly, and the losses differ more. \
                  Look for: the lines bunched together and higher at head_depth = 3 than at 0.",
        differs: "Procedural objects (grey) instead of ImageNet/CIFAR and a small ConvNet \
                  trained for hundreds of steps; NT-Xent at τ 0.2, log-sum-exp at λ 1 in \
                  NT-Xent units, the SWD losses at λ 5.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::losses::loss_head,
    },
    Preset {
        name: "loss-lambda",
        title: "Temperature and lambda act inversely",
        config: "data=objects&palette=grey&head_depth=0&loss=logsumexp&lr_schedule=linear&steps=1000",
        small: "steps=600&batch=128&train_size=3000&test_size=1000",
        sweep: "lambda:0.3,3;tau:0.1,0.5",
        effect: Metric::Offline,
        look_for: "Raising τ acts like lowering λ: at τ 0.1 raising λ from 0.3 to 3 lifts the \
                   object a long way; at τ 0.5, where the same λ pushes the embeddings apart \
                   less, it lifts it much less.",
        explain_title: "Temperature and λ: two dials for one thing",
        explain: "λ sets how hard the loss pushes points apart compared with pulling views \
                  together. If it is too small, everything piles up and little is learned. The \
                  temperature τ sets how the push is shared out: a low τ aims it at the closest \
                  other points, a high τ spreads it thinly over all of them, which pushes less \
                  where it matters, as a smaller λ would. So the two act inversely. Look for: \
                  the two τ lines together at λ = 0.3, and the τ = 0.1 line rising much more \
                  than the τ = 0.5 line at λ = 3.",
        differs: "Procedural objects (grey); log-sum-exp with no projection head; λ in NT-Xent \
                  units (λ·τ/d against the notebook's raw λ), which takes τ's 1/τ scale out, so \
                  what remains of τ is how sharp its softmax is.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::losses::tau_lambda,
    },
    Preset {
        name: "local-features",
        title: "Local features from a global loss",
        config: "data=scenes&canvas=48&block=3&kmeans_k=0&kmeans_metric=cosine&steps=1500&batch=256&train_size=20000&test_size=1000",
        small: "batch=128&steps=1000&train_size=6000",
        sweep: "fill:colour,texture",
        effect: Metric::Ari,
        look_for: "K-means on a block's feature map, one image at a time, groups pixels by \
                   object when the encoder has learned local features. Scored by the foreground \
                   ARI (over the objects' pixels) on 100 test images, against the same encoder \
                   untrained (dotted) and K-means on the raw pixels at the same resolution \
                   (dashed). In colour scenes the raw colours already segment; in texture \
                   scenes, striped in the background's own two colours, they cannot, and the \
                   trained encoder must beat both.",
        explain_title: "Local features from a global loss",
        explain: "The loss only compares whole images, yet the network's inner layers learn to \
                  group pixels by object. We cluster each position of a layer's feature map \
                  (K-means, as many clusters as the image has objects plus background) and score \
                  how well the clusters separate the objects (ARI over the objects' pixels: 1 \
                  is a perfect match, 0 chance). In texture scenes everything is striped in the \
                  same two colours, so clustering the raw colours cannot find the objects; only \
                  features that see the stripes' direction can. Look for: in texture scenes, \
                  the trained line above the dotted untrained line and the dashed raw-pixels \
                  line, and cluster maps coloured like the true objects.",
        differs: "Synthetic scenes whose true masks are known, so the paper's qualitative \
                  figure becomes a number; a 48 px canvas and a small ConvNet instead of \
                  ImageNet and ResNet-50; K per image from the true number of groups.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::local::local_features,
    },
    Preset {
        name: "local-hierarchy",
        title: "Hierarchical local features: early blocks group texture, late blocks objects",
        config: "data=scenes&fill=texture&parts=stripes&part_shade=0&canvas=48&kmeans_k=0&kmeans_metric=cosine&steps=1500&batch=256&train_size=20000&test_size=1000",
        small: "batch=128&steps=1000&train_size=6000",
        sweep: "block:1,3",
        effect: Metric::Ari,
        look_for: "The texture scenes' objects are striped in the same two colours as the \
                   background. K-means on the first block's feature map should follow the \
                   texture (which stripe colour a pixel lies on), the last block's the whole \
                   objects: clustered against the stripes and against the objects (as many \
                   clusters as groups), the first block's preference for the texture is larger \
                   than the last block's, by more than in the untrained network, seed by seed. \
                   Each point is the same training; only the block that is clustered changes.",
        explain_title: "Local features come in levels",
        explain: "A fine grouping of these scenes follows the texture: the light and the dark \
                  stripes. A coarse one follows the whole objects. The paper saw early layers \
                  give finer, texture-like groups and later layers object-level ones. We \
                  cluster the first and the last block of the same trained network and score \
                  both groupings. A random network is already somewhat like that (its first \
                  block sees only a few pixels), so what counts is how much training adds. Look \
                  for: the 'vs parts' (texture) line above the objects' line at block 1 and \
                  below it at block 3, by more than in the untrained network.",
        differs: "The paper shows ImageNet images clustered with more and more groups at \
                  several layers; here the two levels are known masks (the stripes under each \
                  object pixel, and the objects), so both are numbers (foreground ARI).",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::local::local_hierarchy,
    },
    Preset {
        name: "randbit-augment",
        title: "RandBit: stronger augmentation does not remove the suppression",
        config: "data=randbit&base=digits&crop_min=0.5&flip=1&colour_jitter=0.8&greyscale=0&lr_schedule=linear&weight_decay=0.0002&batch=1000&steps=600&train_size=60000&test_size=10000&head_depth=2&head_width=256&out_dim=64&tau=0.1&eval_every=50&checkpoints=2",
        small: "batch=128&steps=400&train_size=6000&test_size=1000",
        sweep: "bits:0,10;crop_min:0.5,0.2",
        effect: Metric::Offline,
        look_for: "With colour jitter, flips and crops down to a fifth of the image, the digit is \
                   still learned without bits and still lost with 10 bits, by more than an \
                   untrained encoder loses it: the bits are shared exactly by both views, so no \
                   augmentation of the image can break that shortcut.",
        explain_title: "RandBit: augmentation cannot break this shortcut",
        explain: "Colour jitter rescues the shape in the colour-vs-shape finding, because it makes \
                  colour differ between the two views. Random bits are different: they are added \
                  after augmentation, so both views always carry exactly the same bits, whatever \
                  happens to the picture. Stronger crops and colour jitter therefore change \
                  nothing about the shortcut. Look for: at both crop strengths, the digit line \
                  high without bits and falling to its dashed chance line with 10 bits.",
        differs: "As RandBit, with flips, colour jitter 0.8 and crops of at least half or a fifth \
                  of the image (the notebook crops only, at least half).",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::randbit::randbit_augment,
    },
    Preset {
        name: "randbit-batch",
        title: "RandBit: a larger batch helps a little",
        config: randbit!("&bits=5"),
        small: "steps=200&train_size=6000&test_size=1000",
        sweep: "batch:64,512",
        effect: Metric::Offline,
        look_for: "With 5 bits (32 codes), a batch of 512 holds about 16 other images with each \
                   image's code and a batch of 64 about 2: in the larger batch the bits tell \
                   fewer images apart, and the encoder keeps more of the digit. Judged on the \
                   offline probe, fitted alike at both batches (the online probe would see eight \
                   times more images at 512).",
        explain_title: "RandBit: a bigger batch helps a little",
        explain: "Each image is compared with every other image in its batch. With 5 bits there \
                  are only 32 codes, so in a batch of 512 every image shares its code with about \
                  16 others, and only the picture itself can tell those apart; in a batch of 64 \
                  it shares with about 2. So with the same number of steps, batch 512 keeps more \
                  of the digit than batch 64. Look for: the digit line higher at batch 512 than \
                  at 64, both above the dashed chance line.",
        differs: "As RandBit, with 5 bits; equal steps, so the larger batch also sees eight times \
                  more images.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::randbit::randbit_batch,
    },
    Preset {
        name: "randbit-width",
        title: "RandBit: a wider encoder does not help",
        config: randbit!("&bits=5"),
        small: "batch=128&steps=400&train_size=6000&test_size=1000",
        sweep: "width:2,4",
        effect: Metric::Offline,
        look_for: "With 5 bits the digit is partly kept at both widths (off the chance floor). \
                   Training adds to the digit beyond the untrained encoder at both widths. \
                   The wider encoder reads more of it, but so does the same wide encoder \
                   untrained: what training adds beyond the untrained encoder is no larger with \
                   twice the channels.",
        explain_title: "RandBit: a wider network does not help",
        explain: "You might hope that a bigger network has room to learn both the bits and the \
                  digit. A network with twice the channels does read more of the digit, \
                  but it already does before any training: random wide features are richer. \
                  What contrastive training adds on top, against the bits, is no larger, because \
                  the problem is what the loss rewards, not capacity. This finding claims no \
                  improvement, so it holds only when even the seed-to-seed noise could not hide \
                  one. Look for: the gap between each width's digit line and its dotted \
                  untrained line, no wider at width 4 than at 2.",
        differs: "As RandBit, with 5 bits, so the digit is above chance at both widths; twice \
                  and four times the notebook's channels (at width 1 the untrained network's \
                  reading of the digit varies too much from seed to seed to judge what training \
                  adds); `--scale small` trains 400 steps of batch 128.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::randbit::randbit_width,
    },
    Preset {
        name: "randbit-autoencoder",
        title: "RandBit: a reconstruction loss suffers much less",
        config: randbit!(),
        small: "batch=128&steps=1200&train_size=6000&test_size=1000",
        sweep: "bits:0,10;objective:contrastive,autoencoder",
        effect: Metric::Offline,
        look_for: "An autoencoder on the same data, reconstructing the image and the bits with \
                   equal weight in total, keeps more of the digit than the contrastive loss once \
                   bits are added: it still learns the digit well beyond its untrained encoder, \
                   where NT-Xent learns nothing of it.",
        explain_title: "RandBit: reconstruction suffers much less",
        explain: "An autoencoder learns by rebuilding its input, so it cannot ignore the digit \
                  just because the bits are easier: the picture is half of what it must rebuild, \
                  however many bit planes there are. On the same data with 10 bits, its \
                  representation keeps more of the digit than the contrastive one does. This \
                  control shows that suppression comes from the contrastive objective, not from \
                  the data alone. Look for: at 10 bits, the autoencoder's digit line high above \
                  the contrastive one and above its dotted untrained line.",
        differs: "Our autoencoder decodes the representation with a small MLP; the image and the \
                  bit planes weigh half each in its loss (`recon=balanced`), and the small scale \
                  trains 1,200 steps of batch 128, since an autoencoder learns the digit more \
                  slowly.",
        needs_file: false,
        demo: false,
        references: &[],
        verdict: rules::randbit::randbit_autoencoder,
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
        explain_title: "",
        explain: "",
        differs: "Your data, with the RandBit notebook's recipe.",
        needs_file: true,
        demo: false,
        references: &[],
        verdict: rules::randbit::your_data,
    },
];

impl Preset {
    pub fn find(name: &str) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.name == name)
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
}
