//! The explorable explanation under the tool: what a contrastive loss does, what a linear
//! probe measures, what suppression is and where it shows, then one section per finding with a
//! button that loads its preset and sweep into the tool above.

use leptos::prelude::*;

use super::reference::ReferenceFigure;
use super::samples::FindingSamples;
use crate::presets::{PRESETS, Preset};
use crate::web::state::LinkState;

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

/// Splits "…. Look for: …" into the explanation and what to look for.
fn look_for(text: &str) -> (&str, Option<&str>) {
    match text.split_once("Look for:") {
        Some((body, look)) => (body.trim(), Some(look.trim())),
        None => (text, None),
    }
}

#[component]
pub fn Explanation() -> impl IntoView {
    let link = expect_context::<LinkState>();
    let run_this = move |p: &'static Preset| {
        link.load_preset(p);
        if let Some(top) = leptos::prelude::document().get_element_by_id("tool") {
            top.scroll_into_view();
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
                only when the effect beats its margin over the seeds. Each section shows the \
                reference: the last run of every finding over three seeds with the command line \
                (`reproduce`), its chart and its verdict; the points of your own run of a finding \
                land on its chart, each inside the reference's band or not."</p>
            {PRESETS.iter().filter(|p| !p.explain.is_empty()).map(|p| {
                let (body, look) = look_for(p.explain);
                view! {
                    <section id=format!("finding-{}", p.name)>
                        <h3>{p.explain_title}</h3>
                        <p>{body}</p>
                        <FindingSamples preset=p />
                        {look.map(|l| view! { <p class="look"><strong>"Look for: "</strong>{l}</p> })}
                        <ReferenceFigure preset=p />
                        <button class="run-this" on:click=move |_| run_this(p)>"Run this"</button>
                    </section>
                }
            }).collect_view()}
        </article>
    }
}
