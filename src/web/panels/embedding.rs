//! The embedding panel: a 2-D PCA of test representations coloured by a chosen feature, and
//! the similarity matrix of two views of a few test images.

use leptos::prelude::*;

use super::preview_dataset;
use crate::render::series;
use crate::url::decode;
use crate::web::charts::{Heatmap, Scatter};
use crate::web::state::RunView;

#[component]
pub fn EmbeddingPanel() -> impl IntoView {
    let run = expect_context::<RunView>();
    let feature = RwSignal::new(0usize);
    let points = Signal::derive(move || run.record.with(|r| series::embedding(r, feature.get())));
    let similarity = Signal::derive(move || run.record.with(series::similarity));
    // The chosen feature's class names, for the legend.
    let classes = Signal::derive(move || {
        let f = feature.get();
        run.record.with(|r| {
            let config = decode(&r.config).config;
            preview_dataset(&config, 32)
                .and_then(Result::ok)
                .and_then(|ds| ds.features.get(f).map(|x| x.class_names.clone()))
                .unwrap_or_default()
        })
    });
    view! {
        <h2>"Embedding"</h2>
        <label for="embed-feature">"Colour the points by "</label>
        <select id="embed-feature" on:change=move |ev| feature.set(event_target_value(&ev).parse().unwrap_or(0))>
            {move || run.feature_names().into_iter().enumerate().map(|(i, n)| view! { <option value=i.to_string()>{n}</option> }).collect_view()}
        </select>
        <div class="pair">
            <Scatter id="embedding" points=points classes=classes
                caption="Test representations projected on their two main directions, one colour per class: separated colours mean the feature is easy to read out." />
            <Heatmap id="similarity" values=similarity
                caption="Cosine similarity of both views of 16 test images (view 1 of each, then view 2): bright off-diagonal lines mean each image's two views match." />
        </div>
    }
}
