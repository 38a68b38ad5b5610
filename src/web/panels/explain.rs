//! The explorable explanation under the tool: what a contrastive loss does, what a linear
//! probe measures, what suppression is and where it shows, then one section per finding with a
//! button that loads its preset and sweep into the tool above.

use leptos::prelude::*;

use crate::presets::Preset;
use crate::web::state::PageState;

/// (id, title, text) of the sections that explain the ideas.
const IDEAS: &[(&str, &str, &str)] = &[
    (
        "what-contrastive",
        "What a contrastive loss does",
        "A contrastive learner gets no labels. Each training image is turned into two views by random changes: a crop, a flip, shifted colours. Both views go through the same network, which gives each a point in an embedding space. The loss asks for two things at once. First, the two views of the same image should land close together; this is alignment. Second, all the points in the batch, from all the images, should spread out and fill the space instead of piling up in one spot; this is distribution, or uniformity. A network that does both well has to tell images apart using whatever the two views have in common. The catch is that it will use the easiest shared clue it can find, and that clue need not be the one you care about.",
    ),
    (
        "linear-probe",
        "What a linear probe measures",
        "The encoder is never told about digits, shapes or colours, so we check afterwards what it learned. A linear probe is the simplest possible classifier, a single linear layer, trained on the frozen representation to predict one label, such as \"which digit\". If the probe scores high, the representation holds that information in an easy-to-read form. If it scores no better than chance (always guessing the most common class), the information is missing or buried. A probe cannot change the encoder, so it only reports what is there. We also probe the untrained encoder, because random networks already carry some information and learning has to beat that.",
    ),
    (
        "suppression",
        "What suppression is, and where to see it",
        "When two views share several features, the contrastive loss can solve its task with the easiest one and stop representing the others. That is feature suppression. Watch the probe chart: each feature has a solid line and its own dashed chance line. Suppression is a feature's line sinking towards its dashed line while the contrastive accuracy chart stays high. The instance task is still being solved, so the loss is happy, but it is being solved without that feature. The encoder has stopped representing it. Compare with a feature that was never learnable: its line sits on chance from the start, and the contrastive accuracy does not explain it.",
    ),
];

/// (preset name, title, text) of one section per finding; the text ends with what to look for.
const FINDINGS: &[(&str, &str, &str)] = &[
    (
        "randbit",
        "RandBit: a few random bits win",
        "Each image gets a few random bits, the same in both views, added as extra constant channels. The bits alone are enough to tell images apart, so the network learns them and drops the digit. With 0 bits the digit is learned well. By 10–15 bits its accuracy is near chance, while contrastive accuracy stays high. Lower temperature keeps a little more of the digit. Look for: on the sweep chart, digit accuracy falling with bits towards the dashed chance line, next to the paper notebook's dotted grey lines.",
    ),
    (
        "digit-on-objects",
        "DigitOnObjects: more unique digits, digit up, object down",
        "Nine copies of a small digit are pasted on every object picture. With one unique digit, every image carries the same digit, so it cannot help tell images apart and is ignored. With 1024 unique digits, the digit becomes an easy shared clue: the encoder learns it, and the object suffers. A supervised network trained on the object label serves as a control. Look for: the digit line (tested on fresh digits) rising with N, the contrastive object line falling, and the supervised object line staying flatter.",
    ),
    (
        "multidigits",
        "MultiDigits: a big digit hides a small one",
        "Two digits share a canvas. One keeps its small size and its spot in every image. The other grows from equal size to three times as big. When both are equal, the network learns both. As the second one grows, it becomes the dominant shared feature and the small digit fades from the representation, even though it never changed. Look for: the fixed_digit line falling towards chance as digit_size grows, while the varying_digit line stays high.",
    ),
    (
        "colour-shape",
        "Colour vs shape: why colour jitter matters",
        "Here each image's object and background share one hue. Without colour augmentation, both views have the same colours, and colour alone separates many images, so shape gets neglected. Colour jitter shifts the colours differently in each view, so colour stops being a reliable shared clue, and the network has to use shape. Look for: the shape line higher at colour_jitter = 0.8 than at 0, and the colour line above chance without jitter.",
    ),
    (
        "loss-head",
        "Loss family × head depth: the head evens things out",
        "The paper writes many losses as \"alignment + distribution\": NT-Xent, log-sum-exp, matching a sphere, cube or Gaussian prior (SWD), and alignment + uniformity. With a deep projection head between the representation and the loss, they all end up at similar probe accuracy. With no head, the loss's shape reaches the representation directly, and the losses differ more. Look for: the lines bunched together at head_depth = 3 and spread apart at 0.",
    ),
    (
        "loss-lambda",
        "Distribution weight λ: a range, not a magic number",
        "λ sets how hard the loss pushes points apart compared with pulling views together. If it is too small, everything can collapse to one point. If it is too large, spreading out wins over matching views. Each loss learns across a range of λ around its default of 1. Temperature acts in a similar, inverse way. Look for: each loss's object line well above its dotted at-initialisation line at λ = 1, and where it sags at the ends of the range.",
    ),
    (
        "local-features",
        "Local features from a global loss",
        "The loss only compares whole images, yet the network's inner layers learn to group pixels by object. We cluster each position of a layer's feature map (K-means) and score how well the clusters match the true object outlines (ARI, where 1 is a perfect match and 0 is chance). A trained network should beat the same network before training, and also beat clustering the raw colours. Look for: the trained line above the dotted at-init line and the dashed raw-pixels line, and cluster maps that follow object shapes.",
    ),
    (
        "local-hierarchy",
        "Local features come in levels",
        "In these scenes every object has two halves in two shades of its colour. A fine grouping follows the halves (the parts), a coarse one the whole objects. The paper saw early layers give the finer groups and later layers the object-level ones. We cluster the first and the last block of the same trained network and score both groupings: ARI against the objects and against the parts. Look for: the 'vs parts' line above the objects' line at block 1 and below it at block 3, by more than in the untrained network.",
    ),
    (
        "randbit-batch",
        "RandBit: a bigger batch helps a little",
        "Each image is compared with every other image in its batch. In a bigger batch it is more likely that two images carry the same bits, and then only the picture itself can tell them apart. So with the same number of steps, batch 512 keeps a little more of the digit than batch 64. The help is modest: the bits still dominate. Look for: the digit accuracy a little higher at batch 512 than at 64.",
    ),
    (
        "randbit-width",
        "RandBit: a wider network does not help",
        "You might hope that a bigger network has room to learn both the bits and the digit. It does not: four times the channels in every layer leave the digit just as suppressed, because the problem is what the loss rewards, not capacity. This finding claims no improvement, so it holds only when even the seed-to-seed noise could not hide one. Look for: the digit accuracy at width 2 no higher than at width 0.5.",
    ),
    (
        "randbit-autoencoder",
        "RandBit: reconstruction suffers much less",
        "An autoencoder learns by rebuilding its input, bits and image alike, so it cannot ignore the digit just because the bits are easier. On the same data with 10 bits, its representation keeps far more of the digit than the contrastive one does. This control shows that suppression comes from the contrastive objective, not from the data alone. Look for: at 10 bits, the autoencoder's digit line well above the contrastive one.",
    ),
];

/// Splits "…. Look for: …" into the explanation and what to look for.
fn look_for(text: &str) -> (&str, Option<&str>) {
    match text.split_once("Look for:") {
        Some((body, look)) => (body.trim(), Some(look.trim())),
        None => (text, None),
    }
}

#[component]
pub fn Explanation() -> impl IntoView {
    let state = expect_context::<PageState>();
    let run_this = move |name: &'static str| {
        if let Some(p) = Preset::find(name) {
            state.load_preset(p);
            if let Some(top) = leptos::prelude::document().get_element_by_id("tool") {
                top.scroll_into_view();
            }
        }
    };
    view! {
        <article id="explanation" class="explanation">
            <h2>"What you are looking at"</h2>
            <p class="lede">"This lab reproduces the findings of Chen, Luo and Li, "
                <a href="https://arxiv.org/abs/2011.02803">"Intriguing Properties of Contrastive Losses"</a>
                " (NeurIPS 2021), at a scale that trains in your browser. How each loss, dataset, \
                probe and verdict is computed is written up in "
                <a href="science.md">"science.md"</a>
                ", which ships with the page and with the source (the contrastive-playground \
                repository, whose command-line runner reproduces any link of this page)."</p>
            {IDEAS.iter().map(|(id, title, text)| view! {
                <section id=*id><h3>{*title}</h3><p>{*text}</p></section>
            }).collect_view()}
            <h2>"The findings"</h2>
            <p>"These are the paper's findings. Whether one shows at the scale you run is for the \
                numbers to say: under the effect chart, a preset's sweep gets a verdict that holds \
                only when the effect beats its margin over the seeds. The README's table lists \
                which findings hold at the CPU scale and which are not shown there, and why."</p>
            {FINDINGS.iter().map(|(name, title, text)| {
                let (body, look) = look_for(text);
                view! {
                    <section id=format!("finding-{name}")>
                        <h3>{*title}</h3>
                        <p>{body}</p>
                        {look.map(|l| view! { <p class="look"><strong>"Look for: "</strong>{l}</p> })}
                        <button class="run-this" on:click=move |_| run_this(name)>"Run this"</button>
                    </section>
                }
            }).collect_view()}
        </article>
    }
}
