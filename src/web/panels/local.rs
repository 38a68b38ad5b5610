//! The local-features panel: the worker's cluster maps per block next to the images they came
//! from, with the scores against the true masks.

use leptos::prelude::*;

use super::preview_dataset;
use crate::render::local::local_features_picture;
use crate::url::decode;
use crate::web::dom;
use crate::web::state::RunView;

#[component]
pub fn LocalPanel() -> impl IntoView {
    let run = expect_context::<RunView>();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        run.record.with(|r| {
            let Some(e) = r.evaluations.last() else {
                return;
            };
            let needed = e.local_images.iter().max().map_or(32, |m| m + 1);
            let Some(Ok(ds)) = preview_dataset(&decode(&r.config).config, needed) else {
                return;
            };
            if let (Some(canvas), Some(picture)) = (canvas.get(), local_features_picture(&ds, e)) {
                dom::paint(&canvas, &picture);
            }
        });
    });
    let no_masks = move || {
        run.record.with(|r| {
            r.evaluations.last().filter(|e| e.local.is_empty()).map(|_| view! {
                <p class="hint">"This dataset has no object masks: choose objects, digit_on_objects, multidigits, colour_shape or scenes to see local features and their ARI."</p>
            })
        })
    };
    view! {
        <h2>"Local features"</h2>
        <p class="caption">"Rows are encoder blocks (earlier = finer): each test image, then the K-means clusters of that block's feature map. Objects in one colour each mean the block groups pixels by object."</p>
        <canvas node_ref=canvas id="local-features" role="img" aria-label="test images and the K-means cluster maps of each encoder block"
            class:empty=move || run.record.with(|r| r.evaluations.last().is_none_or(|e| e.local.is_empty()))></canvas>
        {no_masks}
    }
}
