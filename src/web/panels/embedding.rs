//! The embedding panel: a 2-D PCA of test representations coloured by a chosen feature, and
//! the similarity matrix of two views of a few test images.

use leptos::prelude::*;

use crate::render::series;
use crate::web::charts::{Heatmap, Scatter};
use crate::web::state::PageState;

#[component]
pub fn EmbeddingPanel() -> impl IntoView {
    let state = expect_context::<PageState>();
    let feature = RwSignal::new(0usize);
    let points = Signal::derive(move || state.record.with(|r| series::embedding(r, feature.get())));
    let similarity = Signal::derive(move || state.record.with(series::similarity));
    view! {
        <h2>"Embedding"</h2>
        <div class="pair">
            <div>
                <select id="embed-feature" on:change=move |ev| feature.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {move || state.feature_names().into_iter().enumerate().map(|(i, n)| view! { <option value=i.to_string()>{format!("colour by {n}")}</option> }).collect_view()}
                </select>
                <Scatter id="embedding" points=points />
            </div>
            <div><p class="hint">"similarity of 2 views × 16 test images"</p><Heatmap id="similarity" values=similarity /></div>
        </div>
    }
}
